package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/posd/posd/alipay/amssim"
	"github.com/posd/posd/build/testenv"
	"github.com/posd/posd/internal/events"
	"github.com/posd/posd/internal/posapi"
)

// The fleet: real posd -demo tills streaming to a real Mosquitto, and the
// back office as the real `posctl events` with a kept session.

// startTill runs posd -demo in dir as terminal id, streaming to broker.
func startTill(t *testing.T, dir, terminal, broker string) *demoProc {
	t.Helper()
	needBinaries(t)
	d := &demoProc{t: t, dir: dir, http: testenv.FreeAddr(t), gw: testenv.FreeAddr(t), metrics: testenv.FreeAddr(t)}
	d.start(filepath.Join(dir, "posd.sock"), nil, "-demo", "-demo-dir", dir, "-demo-http", d.http, "-demo-gateway", d.gw,
		"-demo-metrics", d.metrics, "-demo-mqtt", broker, "-demo-terminal", terminal)
	return d
}

// kill9 SIGKILLs posd: no clean stop, no offline status, no final delete.
func (d *demoProc) kill9() {
	d.t.Helper()
	_ = d.cmd.Process.Signal(syscall.SIGKILL)
	<-d.exited
}

// scan takes one user-presented payment of amount and returns it final.
func (d *demoProc) scan(amount, code string) posapi.Payment {
	d.t.Helper()
	d.waitStatus("the till ready", func(s posapi.Status) bool { return s.Till == "ready" })
	before := d.waitStatus("status", func(posapi.Status) bool { return true }).Current
	d.posctl("keys", amount+"<SCAN:"+code+">")
	st := d.waitStatus("the payment to start", func(s posapi.Status) bool { return s.Current != "" && s.Current != before })
	p := d.waitPayment(st.Current, "a final state", func(p posapi.Payment) bool { return p.Final })
	d.waitStatus("the result screen", func(s posapi.Status) bool { return s.Till == "paid" || s.Till == "declined" || s.Till == "ready" })
	if s := d.waitStatus("status", func(posapi.Status) bool { return true }); s.Till != "ready" {
		d.posctl("keys", "<ENTER>") // leave the result screen
	}
	return p
}

// backOffice is `posctl events --json` with a kept session, its output in a file.
type backOffice struct {
	t    *testing.T
	cmd  *exec.Cmd
	out  string
	done chan struct{}
}

func startBackOffice(t *testing.T, broker string) *backOffice {
	t.Helper()
	b := &backOffice{t: t, out: filepath.Join(t.TempDir(), "events.jsonl"), done: make(chan struct{})}
	f, err := os.Create(b.out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var stderr bytes.Buffer
	b.cmd = exec.Command(binaries.posctl, "events", "--mqtt", broker, "--topic", "posd/+/+/+/payments", "--topic", "posd/+/+/+/alerts",
		"--topic", "posd/+/+/+/status", "--json", "--client-id", "backoffice")
	b.cmd.Stdout, b.cmd.Stderr = f, &stderr
	if err := b.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = b.cmd.Wait(); close(b.done) }()
	t.Cleanup(func() {
		_ = b.cmd.Process.Signal(syscall.SIGTERM)
		<-b.done
		if t.Failed() {
			t.Logf("posctl events stderr:\n%s", stderr.String())
		}
	})
	return b
}

// lines are the JSON messages printed so far.
func (b *backOffice) lines() [][]byte {
	data, _ := os.ReadFile(b.out)
	var out [][]byte
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, events.MaxSize)
	for sc.Scan() {
		out = append(out, append([]byte(nil), sc.Bytes()...))
	}
	return out
}

// waitFor polls what the back office printed until ok, bounded.
func (b *backOffice) waitFor(what string, ok func([][]byte) bool) [][]byte {
	b.t.Helper()
	deadline := time.Now().Add(e2eDeadline)
	for {
		lines := b.lines()
		if ok(lines) {
			return lines
		}
		select {
		case <-b.done:
			b.t.Fatalf("posctl events exited while waiting for %s", what)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("no %s within %v (%d lines)", what, e2eDeadline, len(lines))
		}
	}
}

// online reports whether a till's retained status says online.
func online(terminal string) func([][]byte) bool {
	return func(lines [][]byte) bool {
		on := false
		for _, l := range lines {
			var s events.Status
			if json.Unmarshal(l, &s) == nil && s.Terminal == terminal && !bytes.Contains(l, []byte(`"seq"`)) {
				on = s.Online
			}
		}
		return on
	}
}

// tillStream is one till's events as the back office received them.
type tillStream struct {
	first    map[uint64][]byte // seq → first delivery
	order    []uint64          // first deliveries in arrival order
	dups     int
	payments map[string]events.Payment // latest state per paymentRequestId (by seq)
	seqOf    map[string]uint64
}

// streams splits the printed lines by till stream and checks each: a
// redelivery is byte for byte the first (same id and seq), first
// deliveries arrive in sequence order.
func streams(t *testing.T, lines [][]byte) map[string]*tillStream {
	t.Helper()
	out := map[string]*tillStream{}
	for _, l := range lines {
		if !bytes.Contains(l, []byte(`"seq"`)) {
			continue // a status message
		}
		e, err := events.Decode(l)
		if err != nil {
			t.Fatalf("back office got %v: %s", err, l)
		}
		key := e.Terminal + "/" + e.Stream
		s := out[key]
		if s == nil {
			s = &tillStream{first: map[uint64][]byte{}, payments: map[string]events.Payment{}, seqOf: map[string]uint64{}}
			out[key] = s
		}
		if old, ok := s.first[e.Seq]; ok {
			if !bytes.Equal(old, l) {
				t.Fatalf("%s event %d redelivered with other content:\n%s\n%s", key, e.Seq, old, l)
			}
			s.dups++
			continue
		}
		if n := len(s.order); n > 0 && e.Seq < s.order[n-1] {
			t.Fatalf("%s event %d first arrived after %d", key, e.Seq, s.order[n-1])
		}
		s.first[e.Seq] = l
		s.order = append(s.order, e.Seq)
		if e.Payment != nil && e.Seq > s.seqOf[e.Payment.RequestID] {
			s.payments[e.Payment.RequestID], s.seqOf[e.Payment.RequestID] = *e.Payment, e.Seq
		}
	}
	return out
}

// complete reports whether the stream holds every event up to last.
func (s *tillStream) complete(last uint64) bool {
	if s == nil {
		return false
	}
	for q := uint64(1); q <= last; q++ {
		if _, ok := s.first[q]; !ok {
			return false
		}
	}
	return true
}

// totals are per state: count and sum of minor units of payments, and
// of refunds under "refund " + their state.
type totals map[string][2]int64

func (t totals) add(state string, minor int64) {
	v := t[state]
	t[state] = [2]int64{v[0] + 1, v[1] + minor}
}

func (s *tillStream) totals() totals {
	out := totals{}
	for _, p := range s.payments {
		out.add(p.State, p.Amount.Minor)
		for _, r := range p.Refunds {
			out.add("refund "+r.State, r.Amount.Minor)
		}
	}
	return out
}

// exportTotals reads a till's reconciliation export the same way.
func exportTotals(t *testing.T, d *demoProc) totals {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(d.posctl("export", "--from", "2000-01-01", "--to", "2100-01-01", "--format", "csv"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	out := totals{}
	for _, r := range rows[1:] {
		minor, err := strconv.ParseInt(r[col["amountMinor"]], 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		switch r[col["type"]] {
		case "payment":
			out.add(r[col["state"]], minor)
		case "refund":
			out.add("refund "+r[col["state"]], minor)
		}
	}
	return out
}

func (d *demoProc) events() posapi.Events {
	d.t.Helper()
	st := d.waitStatus("events status", func(s posapi.Status) bool { return s.Events != nil })
	return *st.Events
}

// Three tills, one broker, one back office. Midway the broker is stopped
// and started again, and one posd is SIGKILLed while it publishes into a
// cut network (no PUBACK comes back): every
// event arrives (a redelivery only with the same id and seq), in order per
// till, and the back office's totals are the sum of the three exports.
func TestE2EEventsThreeTillsOneBroker(t *testing.T) {
	mq := testenv.StartMosquitto(t)
	back := startBackOffice(t, mq.URL())
	// T2 reaches the broker through a relay the test can cut.
	relay := testenv.StartRelay(t, mq.Addr())
	brokerOf := map[string]string{"T1": mq.URL(), "T2": "mqtt://" + relay.Addr, "T3": mq.URL()}
	tills := map[string]*demoProc{}
	for _, id := range []string{"T1", "T2", "T3"} {
		tills[id] = startTill(t, t.TempDir(), id, brokerOf[id])
		back.waitFor(id+" online", online(id))
	}
	var wg sync.WaitGroup
	round := func(amounts ...string) {
		for i, id := range []string{"T1", "T2", "T3"} {
			wg.Go(func() {
				code := amssim.CodePaid
				if amounts[i] == "decline" {
					tills[id].scan("3.33", amssim.CodeInsufficient)
					return
				}
				if p := tills[id].scan(amounts[i], code); p.State != "SUCCEEDED" {
					t.Errorf("%s: %s %s", id, p.PaymentRequestID, p.State)
				}
			})
		}
		wg.Wait()
	}
	round("1.10", "2.20", "3.30")
	round("4.40", "decline", "5.50")

	// The broker goes away: payments go on, events wait in each outbox.
	mq.Stop()
	round("6.60", "7.70", "decline")
	for id, d := range tills {
		d.waitStatus("the backlog in posctl status", func(s posapi.Status) bool {
			return s.Events != nil && !s.Events.Connected && s.Events.Backlog > 0
		})
		// The backlog can still grow (a slip printed after the result), so
		// posctl's line is compared with the API's figure read on both sides
		// of it; a mismatch while the figure moves is asked again.
		addr := strings.TrimPrefix(brokerOf[id], "mqtt://")
		d.poll(id+"'s posctl status agreeing with the API", func() bool {
			before := d.events()
			out := d.posctl("status")
			after := d.events()
			if before.Backlog != after.Backlog || before.Connected || after.Connected {
				return false
			}
			if !strings.Contains(out, "events    NOT connected to "+addr) || !strings.Contains(out, fmt.Sprintf(", backlog %d ", after.Backlog)) && !strings.Contains(out, fmt.Sprintf(", backlog %d,", after.Backlog)) {
				t.Fatalf("%s posctl status, backlog %d in the API:\n%s", id, after.Backlog, out)
			}
			return true
		})
	}
	mq.Start()

	// T2 is killed mid-publish: the broker's answers are cut, so the events
	// of the next payment reach the broker (and the back office) but posd
	// gets no PUBACK; SIGKILL; the network comes back and posd, started
	// again on the same file, sends them again: same ids, same seqs.
	back.waitFor("T2's events so far", func(l [][]byte) bool {
		ev := tills["T2"].events()
		return streams(t, l)["T2/"+ev.Stream].complete(ev.LastSeq)
	})
	relay.CutReplies()
	p := tills["T2"].scan("8.80", amssim.CodePaid)
	tills["T2"].waitStatus("T2 publishing into the cut", func(s posapi.Status) bool {
		return s.Events != nil && s.Events.Backlog > 0 && s.Events.LastSeq > s.Events.Published
	})
	back.waitFor("the unacknowledged events at the back office", func(l [][]byte) bool {
		ev := tills["T2"].events()
		return streams(t, l)["T2/"+ev.Stream].complete(ev.Published + 1)
	})
	tills["T2"].kill9()
	relay.Restore()
	tills["T2"] = startTill(t, tills["T2"].dir, "T2", brokerOf["T2"])
	if got, _ := tills["T2"].api.Show(context.Background(), p.PaymentRequestID); got.State != "SUCCEEDED" {
		t.Fatalf("T2 after SIGKILL: %+v", got)
	}
	round("9.90", "10.00", "11.10")
	// A partial refund on T3: a refund event, and a refund row in its export.
	paid := tills["T3"].scan("12.00", amssim.CodePaid)
	tills["T3"].posctl("refund", "--yes", paid.PaymentRequestID, "2.50")
	tills["T3"].waitPayment(paid.PaymentRequestID, "the refund", func(p posapi.Payment) bool {
		return p.State == "PARTIALLY_REFUNDED" && len(p.Refunds) == 1 && p.Refunds[0].State == "SUCCEEDED"
	})

	// Every till's stream is complete, then the totals agree.
	var lines [][]byte
	for id, d := range tills {
		ev := d.events()
		lines = back.waitFor(id+"'s events up to "+strconv.FormatUint(ev.LastSeq, 10), func(l [][]byte) bool {
			s := streams(t, l)[id+"/"+ev.Stream]
			return s.complete(ev.LastSeq)
		})
	}
	got := streams(t, lines)
	if len(got) != 3 {
		t.Fatalf("%d streams, want 3", len(got))
	}
	sum, exports := totals{}, totals{}
	dups := 0
	for key, s := range got {
		dups += s.dups
		for st, v := range s.totals() {
			w := sum[st]
			sum[st] = [2]int64{w[0] + v[0], w[1] + v[1]}
		}
		id, _, _ := strings.Cut(key, "/")
		for st, v := range exportTotals(t, tills[id]) {
			w := exports[st]
			exports[st] = [2]int64{w[0] + v[0], w[1] + v[1]}
		}
	}
	if fmt.Sprint(sum) != fmt.Sprint(exports) {
		t.Fatalf("back office totals %v, exports %v", sum, exports)
	}
	if got["T2/"+tills["T2"].events().Stream].dups == 0 {
		t.Error("T2's unacknowledged events were not sent again after the SIGKILL")
	}
	if sum["SUCCEEDED"][0] != 11 || sum["PARTIALLY_REFUNDED"][0] != 1 || sum["FAILED"][0] != 2 || sum["refund SUCCEEDED"] != [2]int64{1, 250} {
		t.Errorf("totals %v, want 11 paid, 1 partly refunded (250), 2 declined", sum)
	}
	t.Logf("back office: %d tills, totals %v, %d redeliveries dropped by id", len(got), sum, dups)
	for _, d := range tills {
		d.stop()
	}
}
