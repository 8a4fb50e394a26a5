package blobstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3Config locates an S3-compatible bucket.
type S3Config struct {
	Endpoint  string // host:port, no scheme
	Bucket    string
	Region    string // default "us-east-1"
	AccessKey string
	SecretKey string
	UseTLS    bool
}

// DefaultRegion is used when S3Config.Region is empty.
const DefaultRegion = "us-east-1"

// S3 stores each blob as an object in one bucket. Objects are written with a
// single PutObject of the exact size, so they appear whole or not at all.
type S3 struct {
	client *minio.Client
	bucket string
}

var _ Store = (*S3)(nil)

// NewS3 connects with minio-go and creates the bucket if it is missing.
func NewS3(ctx context.Context, cfg S3Config) (*S3, error) {
	if cfg.Endpoint == "" {
		return nil, errors.New("blobstore: NewS3: empty endpoint")
	}
	if cfg.Bucket == "" {
		return nil, errors.New("blobstore: NewS3: empty bucket")
	}
	if cfg.Region == "" {
		cfg.Region = DefaultRegion
	}
	client, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure: cfg.UseTLS,
		Region: cfg.Region,
	})
	if err != nil {
		return nil, fmt.Errorf("blobstore: NewS3 %s: %w", cfg.Endpoint, err)
	}
	exists, err := client.BucketExists(ctx, cfg.Bucket)
	if err != nil {
		return nil, fmt.Errorf("blobstore: NewS3: bucket %s at %s: %w", cfg.Bucket, cfg.Endpoint, err)
	}
	if !exists {
		err := client.MakeBucket(ctx, cfg.Bucket, minio.MakeBucketOptions{Region: cfg.Region})
		if err != nil {
			code := minio.ToErrorResponse(err).Code
			if code != "BucketAlreadyOwnedByYou" && code != "BucketAlreadyExists" {
				return nil, fmt.Errorf("blobstore: NewS3: create bucket %s at %s: %w", cfg.Bucket, cfg.Endpoint, err)
			}
		}
	}
	return &S3{client: client, bucket: cfg.Bucket}, nil
}

// Bucket returns the bucket name.
func (s *S3) Bucket() string { return s.bucket }

// Put implements Store.
func (s *S3) Put(ctx context.Context, key string, r io.Reader, size int64) error {
	if err := ValidateKey(key); err != nil {
		return fmt.Errorf("put %q: %w", key, err)
	}
	if size < 0 {
		return fmt.Errorf("put %q: negative size %d", key, size)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("put %q: %w", key, err)
	}
	er := newExactReader(ctx, r, size)
	var body io.Reader = er
	if size == 0 {
		// minio-go need not read an empty body; check r is empty here.
		if err := er.drainEmpty(); err != nil {
			return fmt.Errorf("put %q: %w", key, err)
		}
		body = bytes.NewReader(nil)
	}
	_, err := s.client.PutObject(ctx, s.bucket, key, body, size, minio.PutObjectOptions{
		ContentType: "application/octet-stream",
	})
	if err != nil {
		// Prefer the reader's own error (size mismatch, cancellation) over
		// the transport error it caused.
		if er.err != nil && er.err != io.EOF {
			err = er.err
		}
		return fmt.Errorf("put %q: %w", key, err)
	}
	if er.err != nil && er.err != io.EOF {
		// Should not happen (the upload would have failed), but never report
		// success for a reader that did not match size.
		_ = s.client.RemoveObject(context.WithoutCancel(ctx), s.bucket, key, minio.RemoveObjectOptions{})
		return fmt.Errorf("put %q: %w", key, er.err)
	}
	return nil
}

// Get implements Store.
func (s *S3) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := ValidateKey(key); err != nil {
		return nil, fmt.Errorf("get %q: %w", key, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("get %q: %w", key, err)
	}
	obj, err := s.client.GetObject(ctx, s.bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return nil, fmt.Errorf("get %q: %w", key, mapS3Err(err))
	}
	// GetObject is lazy: Stat issues the GET now so a missing object is
	// reported here rather than on the first Read.
	if _, err := obj.Stat(); err != nil {
		_ = obj.Close()
		return nil, fmt.Errorf("get %q: %w", key, mapS3Err(err))
	}
	return obj, nil
}

// Stat implements Store.
func (s *S3) Stat(ctx context.Context, key string) (Info, error) {
	if err := ValidateKey(key); err != nil {
		return Info{}, fmt.Errorf("stat %q: %w", key, err)
	}
	if err := ctx.Err(); err != nil {
		return Info{}, fmt.Errorf("stat %q: %w", key, err)
	}
	oi, err := s.client.StatObject(ctx, s.bucket, key, minio.StatObjectOptions{})
	if err != nil {
		return Info{}, fmt.Errorf("stat %q: %w", key, mapS3Err(err))
	}
	return Info{Key: key, Size: oi.Size, ModTime: oi.LastModified}, nil
}

// Delete implements Store.
func (s *S3) Delete(ctx context.Context, key string) error {
	if err := ValidateKey(key); err != nil {
		return fmt.Errorf("delete %q: %w", key, err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("delete %q: %w", key, err)
	}
	err := s.client.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{})
	if err != nil && minio.ToErrorResponse(err).Code != minio.NoSuchKey {
		return fmt.Errorf("delete %q: %w", key, err)
	}
	return nil
}

// List implements Store.
func (s *S3) List(ctx context.Context, prefix string, fn func(Info) error) error {
	return s.ListAfter(ctx, prefix, "", fn)
}

// ListAfter implements Store: S3 lists keys in lexical order and starts
// after a given key itself.
func (s *S3) ListAfter(ctx context.Context, prefix, after string, fn func(Info) error) error {
	if err := validatePrefix(prefix); err != nil {
		return fmt.Errorf("list %q: %w", prefix, err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("list %q: %w", prefix, err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // stops minio-go's listing if fn ends the loop early
	for oi := range s.client.ListObjectsIter(ctx, s.bucket, minio.ListObjectsOptions{
		Prefix:     prefix,
		StartAfter: after,
		Recursive:  true,
	}) {
		if oi.Err != nil {
			return fmt.Errorf("list %q: %w", prefix, oi.Err)
		}
		if err := fn(Info{Key: oi.Key, Size: oi.Size, ModTime: oi.LastModified}); err != nil {
			return fmt.Errorf("list %q: %w", prefix, err)
		}
	}
	return nil
}

func mapS3Err(err error) error {
	resp := minio.ToErrorResponse(err)
	if resp.Code == minio.NoSuchKey || (resp.StatusCode == http.StatusNotFound && resp.Code != minio.NoSuchBucket) {
		return fmt.Errorf("%w (%v)", ErrNotFound, err)
	}
	return err
}
