# Tock's two set-up commands: `make run` and `make test` (see README.md).

# go.mod pins the toolchain; let the go command fetch it through the module
# proxy even where the machine's default is GOTOOLCHAIN=local.
export GOTOOLCHAIN := go1.27.4+auto

BIN := bin/tock

.PHONY: run build test deps vet bench release

## run: build and serve on the embedded default (SQLite + local disk in ./bin/pb_data)
run: build
	./$(BIN) serve

## build: the single tock binary
build:
	go build -trimpath -ldflags "-s -w" -o $(BIN) .

## release: versioned archives for linux/amd64, linux/arm64 and windows/amd64
## and SHA256SUMS in dist/<version>/ (VERSION=v1.2.3 to choose; default: git describe)
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
release:
	go run ./internal/release -version $(VERSION) -out dist/$(VERSION)

## deps: everything the tests need on a fresh Debian machine
deps:
	./scripts/test-deps

## vet: static checks
vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt: files above need formatting"; exit 1; }
	go vet ./...
	GOOS=windows GOARCH=amd64 go vet ./...

## test: install what the tests need, then run the whole suite and print its reports
test: deps vet
	rm -rf artifacts && mkdir -p artifacts
	GOOS=windows GOARCH=amd64 go build -o /dev/null .
	TOCK_REQUIRE_S3=1 TOCK_REQUIRE_X=1 TOCK_REQUIRE_BROWSER=1 TOCK_REPORT_DIR=$(CURDIR)/artifacts go test -count=1 -timeout 30m ./...
	@cat artifacts/*.txt

## bench: the performance figures of the README (needs `make deps` for MinIO).
## Each steady-state figure is measured on an empty or fresh database (/empty,
## /fresh) and at steady state (/steady: internal/steady, 90 days of
## TOCK_STEADY_MEMBERS members, 100 unless set, made once a day, minutes).
## The second line also runs BenchmarkIngestDuringRetention (2000 uploads
## while retention deletes the steady state's oldest day).
bench: deps
	go test -run XXX -bench 'BenchmarkSteadyFixture' -benchtime 1x -timeout 90m ./internal/steady
	TOCK_REQUIRE_S3=1 go test -run XXX -bench . -benchtime 2000x -timeout 60m ./
	go test -run XXX -bench 'BenchmarkSteady(ScreenshotList|Gallery|GalleryAll|Timesheet|TeamDashboard|MonthReport)$$' -benchtime 30x -timeout 60m ./hooks
	go test -run XXX -bench 'BenchmarkSteadyRetention$$' -benchtime 1x -timeout 60m ./hooks
	go test -run XXX -bench 'BenchmarkSteady(OrphanSweep|RetentionHourly)$$' -benchtime 3x -timeout 60m ./hooks
	go test -run XXX -bench 'BenchmarkMonthReport' -benchtime 5x ./hooks
	go test -run XXX -bench 'BenchmarkJobSiteVisitsRoute|BenchmarkDeriveVisits' -benchtime 3x ./hooks
	go test -run XXX -bench 'BenchmarkTransfer' -benchtime 2x ./hooks
	go test -run XXX -bench . -benchmem ./perms ./envelope
	go test -run XXX -bench 'BenchmarkEncode1920x1080|BenchmarkBlur1920x1080' -benchmem ./agent/capture
	TOCK_REQUIRE_X=1 go test -run XXX -bench 'BenchmarkAgentFootprint' -benchtime 1x -timeout 20m ./agent
