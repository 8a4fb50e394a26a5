package agent_test

import (
	"flag"
	"os"
	"runtime"
	"strconv"
	"testing"
)

// waitBound is how many of this package's parallel tests run at once unless
// go test's -parallel says otherwise. They are end-to-end runs that wait for
// slots to pass far more than they compute (each keeps a sixth of a core busy
// or less), so more of them than the CPUs fit: Go's default, the number of
// CPUs, would leave a 2-core machine idle while they sleep.
const waitBound = 4

func TestMain(m *testing.M) {
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if !set && runtime.GOMAXPROCS(0) < waitBound {
		if err := flag.Set("test.parallel", strconv.Itoa(waitBound)); err != nil {
			panic(err) // the testing package renamed its flag: fix the name above
		}
	}
	os.Exit(m.Run())
}
