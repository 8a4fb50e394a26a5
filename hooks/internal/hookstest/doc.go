// Package hookstest is what the tests of hooks' packages share: the seeded
// fixtures (opened once per package through Main, kept across test
// processes), the screenshot pipeline, the matrix's people and helpers that
// plant time or records.
package hookstest
