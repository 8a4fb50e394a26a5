package agent_test

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	tt "github.com/tock-app/tock/internal/tocktest"
)

// procStat reads a process's peak resident memory (kB) and CPU time.
func procStat(t testing.TB, pid int) (hwmKB int, cpu time.Duration) {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			hwmKB, _ = strconv.Atoi(strings.Fields(line)[1])
		}
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+2:]))
	utime, _ := strconv.Atoi(f[11])
	stime, _ := strconv.Atoi(f[12])
	return hwmKB, time.Duration(utime+stime) * time.Second / 100 // USER_HZ
}

// BenchmarkAgentFootprint runs the real agent against a real server under
// Xvfb (2 x 1280x800): CPU while tracking between captures, then peak memory
// with three screenshots per slot. b.N is ignored: it is one measurement.
func BenchmarkAgentFootprint(b *testing.B) {
	bin := tt.Binary(b)
	tt.Desktop(b)
	srv := serve(b, bin, b.TempDir()+"/pb_data", tt.FreeAddr(b))
	token := owner(b, srv.URL)
	var orgs struct{ Items []struct{ ID string } }
	api(b, "GET", srv.URL+"/api/collections/organizations/records", token, nil, &orgs)
	setShots := func(n int) {
		if code := api(b, "PATCH", srv.URL+"/api/collections/organizations/records/"+orgs.Items[0].ID, token, map[string]any{"screenshots_per_slot": n}, nil); code != 200 {
			b.Fatalf("set screenshots: %d", code)
		}
	}
	setShots(0)
	a := newAgent(b, bin, srv.URL)
	cmd, _ := a.Daemon(b)
	pid := cmd.Process.Pid

	time.Sleep(2 * slotSeconds * time.Second) // settle into tracking
	_, cpu0 := procStat(b, pid)
	const window = 30 * time.Second
	time.Sleep(window)
	_, cpu1 := procStat(b, pid)
	b.ReportMetric(100*float64(cpu1-cpu0)/float64(window), "idle-cpu-%")

	setShots(3)
	time.Sleep(4 * slotSeconds * time.Second) // 12 capture moments of 2 monitors
	hwm, _ := procStat(b, pid)
	b.ReportMetric(float64(hwm)/1024, "peak-rss-MB")
	if len(list(b, srv.URL, token, "screenshots")) == 0 {
		b.Fatal("no screenshot arrived: the measurement didn't exercise captures")
	}
}
