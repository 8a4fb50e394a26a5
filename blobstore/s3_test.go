package blobstore_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/tock-app/tock/blobstore"
	"github.com/tock-app/tock/internal/miniotest"
)

func s3Config(c miniotest.Config) blobstore.S3Config {
	return blobstore.S3Config{
		Endpoint: c.Endpoint, Bucket: c.Bucket, Region: c.Region,
		AccessKey: c.AccessKey, SecretKey: c.SecretKey, UseTLS: c.UseTLS,
	}
}

func newS3(t testing.TB) (*blobstore.S3, miniotest.Config) {
	t.Helper()
	mc := miniotest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := blobstore.NewS3(ctx, s3Config(mc))
	if err != nil {
		t.Fatalf("NewS3: %v", err)
	}
	return s, mc
}

// rawClient talks to the MinIO server directly, bypassing blobstore.
func rawClient(t testing.TB, mc miniotest.Config) *minio.Client {
	t.Helper()
	c, err := minio.New(mc.Endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(mc.AccessKey, mc.SecretKey, ""),
		Secure: mc.UseTLS,
		Region: mc.Region,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestS3(t *testing.T) {
	s, mc := newS3(t)
	if s.Bucket() != mc.Bucket {
		t.Fatalf("Bucket() = %q, want %q", s.Bucket(), mc.Bucket)
	}
	testStore(t, s)

	// The bytes in the bucket are exactly what was Put, under exactly that
	// key: read them back with a raw client, not through the store.
	t.Run("RawBytes", func(t *testing.T) {
		ctx := context.Background()
		raw := rawClient(t, mc)
		for _, size := range []int{0, 1, 200 << 10} {
			key := fmt.Sprintf("raw/u1/blob-%d.env", size)
			data := randBytes(t, size)
			mustPut(t, s, key, data)
			obj, err := raw.GetObject(ctx, mc.Bucket, key, minio.GetObjectOptions{})
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(obj)
			obj.Close()
			if err != nil {
				t.Fatalf("raw read %s: %v", key, err)
			}
			if !bytes.Equal(got, data) {
				t.Fatalf("raw object %s: %d bytes stored differ from the %d put", key, len(got), len(data))
			}
			oi, err := raw.StatObject(ctx, mc.Bucket, key, minio.StatObjectOptions{})
			if err != nil || oi.Size != int64(size) {
				t.Fatalf("raw stat %s = size %d, %v; want %d", key, oi.Size, err, size)
			}
		}
		// Objects the store rejected or failed to write are absent server-side too.
		for oi := range raw.ListObjectsIter(ctx, mc.Bucket, minio.ListObjectsOptions{Prefix: "sz/", Recursive: true}) {
			if oi.Err != nil {
				t.Fatal(oi.Err)
			}
			if oi.Key != "sz/keep" {
				t.Errorf("failed Put left object %q (%d bytes) in the bucket", oi.Key, oi.Size)
			}
		}
	})

	t.Run("NewS3", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		good := s3Config(mc)
		wrongSecret := good
		wrongSecret.SecretKey = "not-the-secret"
		otherBucket := good
		otherBucket.Bucket = mc.Bucket + "-second"
		noRegion := otherBucket
		noRegion.Region = ""
		for _, tc := range []struct {
			name    string
			cfg     blobstore.S3Config
			wantErr bool
		}{
			{"existing bucket", good, false},
			{"creates missing bucket", otherBucket, false},
			{"default region", noRegion, false},
			{"wrong secret", wrongSecret, true},
			{"empty endpoint", blobstore.S3Config{Bucket: "b"}, true},
			{"empty bucket", blobstore.S3Config{Endpoint: mc.Endpoint}, true},
		} {
			t.Run(tc.name, func(t *testing.T) {
				s2, err := blobstore.NewS3(ctx, tc.cfg)
				if (err != nil) != tc.wantErr {
					t.Fatalf("NewS3 error = %v, wantErr %v", err, tc.wantErr)
				}
				if err != nil {
					return
				}
				ok, err := rawClient(t, mc).BucketExists(ctx, tc.cfg.Bucket)
				if err != nil || !ok {
					t.Fatalf("bucket %s exists = %v, %v", tc.cfg.Bucket, ok, err)
				}
				if s2.Bucket() != tc.cfg.Bucket {
					t.Fatalf("Bucket() = %q", s2.Bucket())
				}
			})
		}
	})
}

func BenchmarkS3Put(b *testing.B) {
	s, _ := newS3(b)
	benchPut(b, s)
}
