package agent_test

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tock-app/tock/internal/dbustest"
	"github.com/tock-app/tock/internal/screentest"
	tt "github.com/tock-app/tock/internal/tocktest"
	"github.com/tock-app/tock/internal/xvfbtest"
)

// procSample is what /proc tells of the agent process at one instant.
type procSample struct {
	at        time.Time
	cpu       time.Duration // user + system CPU time so far
	rss, hwm  int           // kB: resident now, peak resident so far
	processOK bool
}

// readProc reads /proc/<pid>/status (VmRSS, VmHWM) and /proc/<pid>/stat
// (utime + stime).
func readProc(pid int) procSample {
	s := procSample{at: time.Now()}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return s
	}
	for _, line := range strings.Split(string(status), "\n") {
		if f := strings.Fields(line); len(f) > 1 && (f[0] == "VmHWM:" || f[0] == "VmRSS:") {
			kb, _ := strconv.Atoi(f[1])
			if f[0] == "VmHWM:" {
				s.hwm = kb
			} else {
				s.rss = kb
			}
		}
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return s
	}
	f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+2:]))
	utime, _ := strconv.Atoi(f[11])
	stime, _ := strconv.Atoi(f[12])
	s.cpu = time.Duration(utime+stime) * time.Second / 100 // USER_HZ
	s.processOK = true
	return s
}

// footprint is one run's figures.
type footprint struct {
	moments              int
	momentCPU            []time.Duration // per capture moment, sorted
	peakKB, betweenKB    int             // VmHWM at the end; median VmRSS between captures
	betweenCPUPercent    float64         // of one core, between captures
	betweenSeconds       float64
	screenshotsPerMoment int
}

// BenchmarkAgentFootprint runs the real `tock agent run` against a real
// `tock serve`, under Xvfb with two 1920x1080 monitors showing windows full
// of text, a session bus with a tray host and dunst (so with its tray icon
// and notifications), with three screenshots per 20-second slot: first with blur off,
// then (a new agent process) with blur on. For each it samples the agent's
// /proc every 20 ms for four slots and prints its peak memory (VmHWM), its
// resident memory between captures (median VmRSS), the CPU time of each
// capture moment (capture, blur, JPEG, seal, spool and upload of both
// monitors: the CPU burst that starts at the moment's taken_at) and its CPU
// use between captures. b.N is ignored: each is one measurement.
func BenchmarkAgentFootprint(b *testing.B) {
	bin := tt.Binary(b)
	xvfbtest.StartMonitors(b, 1920, 1080)
	xvfbtest.PaintRoot(b, screentest.Image(2*1920, 1080, 1))
	tt.KeepActive(b)
	// A desktop session's services: the figures include the tray icon and
	// the notifications (one per capture moment).
	dbustest.Bus(b)
	dbustest.StartDunst(b)
	host := dbustest.StartWatcher(b)
	srv := serveSlots(b, bin, b.TempDir()+"/pb_data", tt.FreeAddr(b), footprintSlot)
	token := owner(b, srv.URL)
	var orgs struct{ Items []struct{ ID string } }
	api(b, "GET", srv.URL+"/api/collections/organizations/records", token, nil, &orgs)
	// On the display StartMonitors set for the process.
	a := tt.NewAgent(b, bin, srv.URL, "owner@example.test", "owner-password-1", "Website", footprintSlot)
	for _, blur := range []bool{false, true} {
		b.Run(fmt.Sprintf("blur=%v", blur), func(b *testing.B) {
			settings := map[string]any{"screenshots_per_slot": 3, "blur_screenshots": blur}
			if code := api(b, "PATCH", srv.URL+"/api/collections/organizations/records/"+orgs.Items[0].ID, token, settings, nil); code != 200 {
				b.Fatalf("organization settings: %d", code)
			}
			fp := measureAgent(b, a, srv.URL, token, 4*footprintSlot*time.Second)
			host.WaitItem(b, time.Second) // the agent ran with its tray icon
			b.ReportMetric(float64(fp.peakKB)/1024, "peak-rss-MB")
			b.ReportMetric(float64(fp.betweenKB)/1024, "between-rss-MB")
			b.ReportMetric(ms(fp.momentCPU[len(fp.momentCPU)/2]), "cpu-ms/moment-p50")
			b.ReportMetric(ms(fp.momentCPU[len(fp.momentCPU)-1]), "cpu-ms/moment-max")
			b.ReportMetric(fp.betweenCPUPercent, "between-cpu-%")
			b.Logf("blur %v: peak RSS %.1f MB, RSS between captures %.1f MB; CPU per moment (%d moments of %d × 1920x1080) p50 %.0f ms, max %.0f ms; CPU between captures %.2f%% of a core (over %.0f s)",
				blur, float64(fp.peakKB)/1024, float64(fp.betweenKB)/1024, fp.moments, fp.screenshotsPerMoment,
				ms(fp.momentCPU[len(fp.momentCPU)/2]), ms(fp.momentCPU[len(fp.momentCPU)-1]), fp.betweenCPUPercent, fp.betweenSeconds)
			b.Logf("CPU of each moment: %v", fp.momentCPU)
		})
	}
}

// footprintSlot is the benchmark's slot length, which its figures depend on
// (the end-to-end tests use shorter ones).
const footprintSlot = 20

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// measureAgent runs the agent for d (after its first, partial slot),
// sampling its /proc, then waits for its uploads and stops it.
func measureAgent(b *testing.B, a tt.Agent, server, token string, d time.Duration) footprint {
	cmd, logs := a.Daemon(b)
	pid := cmd.Process.Pid
	// The moments of the slot the agent starts in that are already past are
	// all taken at its first second: measure from the next slot on.
	slot := footprintSlot * time.Second
	from := time.Now().Truncate(slot).Add(slot)
	var samples []procSample
	for time.Now().Before(from.Add(d)) {
		s := readProc(pid)
		if !s.processOK {
			b.Fatalf("the agent exited:\n%s", logs)
		}
		if !s.at.Before(from) {
			samples = append(samples, s)
		}
		time.Sleep(20 * time.Millisecond)
	}
	until := samples[len(samples)-1].at
	waitFor(b, "the agent's uploads", 60*time.Second, func() bool { return len(spooled(b, a.Dir)) == 0 })
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Wait()

	moments := momentsBetween(b, server, token, from, until.Add(-2*time.Second))
	if len(moments) < 3 {
		b.Fatalf("only %d capture moments in %v: the measurement didn't exercise captures\nagent:\n%s", len(moments), d, logs)
	}
	return summarize(samples, moments)
}

// moment is one taken_at of the agent's screenshots: count moments (of
// screens screenshots each) were taken in that second.
type moment struct {
	at             time.Time
	count, screens int
}

// momentsBetween lists the capture moments from the server's screenshots.
func momentsBetween(b *testing.B, server, token string, from, until time.Time) []moment {
	var list struct {
		Items []struct {
			TakenAt string `json:"taken_at"`
			Screen  int    `json:"screen"`
		}
	}
	api(b, "GET", server+"/api/collections/screenshots/records?perPage=500", token, nil, &list)
	shots := map[time.Time][]int{}
	for _, s := range list.Items {
		at, err := time.Parse("2006-01-02 15:04:05.000Z", s.TakenAt)
		if err != nil {
			b.Fatalf("taken_at %q: %v", s.TakenAt, err)
		}
		if !at.Before(from) && at.Before(until) {
			shots[at] = append(shots[at], s.Screen)
		}
	}
	var ms []moment
	for at, screens := range shots {
		n := slices.Max(screens) + 1 // screens per moment
		ms = append(ms, moment{at: at, count: len(screens) / n, screens: n})
	}
	slices.SortFunc(ms, func(x, y moment) int { return x.at.Compare(y.at) })
	return ms
}

// summarize splits the samples into capture moments and the time between
// them. A moment's window starts at its taken_at and ends when the agent's
// CPU time has stopped growing for a second (or at the next moment).
func summarize(samples []procSample, moments []moment) footprint {
	fp := footprint{peakKB: samples[len(samples)-1].hwm, screenshotsPerMoment: moments[0].screens}
	inMoment := make([]bool, len(samples))
	for k, m := range moments {
		start := slices.IndexFunc(samples, func(s procSample) bool { return !s.at.Before(m.at) })
		if start < 0 {
			continue
		}
		start = max(0, start-1)
		end := start
		for i := start + 1; i < len(samples); i++ {
			if k+1 < len(moments) && !samples[i].at.Before(moments[k+1].at) {
				break
			}
			end = i
			if samples[i].cpu != samples[start].cpu && samples[i].at.Sub(lastGrowth(samples, start, i)) >= time.Second {
				break
			}
		}
		for i := start; i <= end; i++ {
			inMoment[i] = true
		}
		cpu := samples[end].cpu - samples[start].cpu
		for range m.count {
			fp.momentCPU = append(fp.momentCPU, cpu/time.Duration(m.count))
		}
		fp.moments += m.count
	}
	slices.Sort(fp.momentCPU)
	var rss []int
	var cpu, wall time.Duration
	for i := 1; i < len(samples); i++ {
		if inMoment[i] || inMoment[i-1] {
			continue
		}
		rss = append(rss, samples[i].rss)
		cpu += samples[i].cpu - samples[i-1].cpu
		wall += samples[i].at.Sub(samples[i-1].at)
	}
	slices.Sort(rss)
	fp.betweenKB = rss[len(rss)/2]
	fp.betweenCPUPercent = 100 * float64(cpu) / float64(wall)
	fp.betweenSeconds = wall.Seconds()
	return fp
}

// lastGrowth is when the CPU time last grew in samples[from:to+1].
func lastGrowth(samples []procSample, from, to int) time.Time {
	for i := to; i > from; i-- {
		if samples[i].cpu != samples[i-1].cpu {
			return samples[i].at
		}
	}
	return samples[from].at
}
