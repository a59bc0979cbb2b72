package printer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Config sets up a Printer. Zero durations take the defaults below.
type Config struct {
	// Model is how this printer's jobs are encoded.
	Model Model
	Dial  Dialer
	// StatusTimeout bounds the wait for one DLE EOT answer (default 1 s).
	StatusTimeout time.Duration
	// WriteTimeout bounds one chunk's write (default 5 s).
	WriteTimeout time.Duration
	// ChunkBytes is the most sent between status polls (default 256); a
	// single command longer than that (a raster band) goes whole.
	ChunkBytes int
	// ConfirmTimeout bounds the wait for the GS r answer that confirms the
	// slip printed, counted while the printer reports ready (default 30 s).
	ConfirmTimeout time.Duration
	// PollInterval is how often status is asked while waiting for the
	// printer to come back or to confirm (default 500 ms).
	PollInterval time.Duration
	// NoGSr is for firmware without GS r: completion is then taken from a
	// ready status after the last byte was accepted.
	NoGSr bool
	// NoStatus is for printers that answer no DLE EOT (many cheap ones,
	// [printer] status = "none"): nothing is asked, chunks go out paced
	// only by XON/XOFF and the link's own flow control, and a slip counts
	// as printed once its last byte was written. Such a printer cannot
	// report paper out, cover open or a jam: a slip printed into an empty
	// printer is lost without a word (only a Sensor can tell).
	NoStatus bool
	// Sensor is an optional GPIO paper-out switch.
	Sensor *PaperSensor
	Logger *slog.Logger
}

// Printer drives one ESC/POS printer. One goroutine per open link owns the
// read side and sorts what arrives: DLE EOT answers, GS r answers, ASB
// bursts, XON/XOFF. Jobs and status requests are serialised.
type Printer struct {
	cfg Config
	log *slog.Logger

	jobMu sync.Mutex // one job or status exchange at a time

	mu      sync.Mutex
	link    Link
	closed  bool
	status  chan byte // DLE EOT answers
	stream  chan byte // GS r answers
	xoff    bool
	flowCh  chan struct{} // closed when XON arrives
	readErr chan struct{} // closed when the current link's reader stops
}

// New returns a Printer; the link is opened on first use.
func New(cfg Config) *Printer {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&cfg.StatusTimeout, time.Second)
	def(&cfg.WriteTimeout, 5*time.Second)
	def(&cfg.ConfirmTimeout, 30*time.Second)
	def(&cfg.PollInterval, 500*time.Millisecond)
	if cfg.ChunkBytes <= 0 {
		cfg.ChunkBytes = 256
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Printer{cfg: cfg, log: log.With("component", "printer")}
}

// Model is the configured model; the spooler encodes jobs for it.
func (p *Printer) Model() Model { return p.cfg.Model }

// Close closes the link. A Printer cannot be used after Close.
func (p *Printer) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	if p.link != nil {
		err := p.link.Close()
		p.link = nil
		return err
	}
	return nil
}

// ensureLink returns the open link, dialling if there is none.
func (p *Printer) ensureLink(ctx context.Context) (Link, error) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, ErrClosed
	}
	if p.link != nil {
		l := p.link
		p.mu.Unlock()
		return l, nil
	}
	p.mu.Unlock()
	l, err := p.cfg.Dial(ctx)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		l.Close()
		return nil, ErrClosed
	}
	p.link = l
	p.status, p.stream = make(chan byte, 16), make(chan byte, 16)
	p.xoff, p.flowCh = false, nil
	p.readErr = make(chan struct{})
	go p.read(l, p.status, p.stream, p.readErr)
	p.log.Info("printer link open")
	return l, nil
}

// dropLink closes a failed link so the next call dials again.
func (p *Printer) dropLink(l Link, why error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.link == l {
		p.link = nil
		p.log.Warn("printer link lost", "err", why)
	}
	l.Close()
}

// read owns the read side of one link until it fails.
func (p *Printer) read(l Link, status, stream chan byte, done chan struct{}) {
	defer close(done)
	var d demux
	buf := make([]byte, 64)
	for {
		n, err := l.Read(buf)
		for _, b := range buf[:n] {
			p.dispatch(d.feed(b), status, stream)
		}
		if err != nil {
			p.dropLink(l, err)
			return
		}
	}
}

func (p *Printer) dispatch(ev event, status, stream chan byte) {
	offer := func(ch chan byte, b byte) {
		select {
		case ch <- b:
		default: // nobody asked: a stale answer is dropped, not queued forever
		}
	}
	switch ev.kind {
	case eventStatus:
		offer(status, ev.b)
	case eventReply:
		offer(stream, ev.b)
	case eventASB:
		// Unsolicited: a printer with ASB switched on reports changes. Jobs
		// still ask DLE EOT themselves; the burst is only logged.
		p.log.Info("printer status", "status", statusFromASB(ev.asb).String())
	case eventXOFF:
		p.mu.Lock()
		if !p.xoff {
			p.xoff, p.flowCh = true, make(chan struct{})
		}
		p.mu.Unlock()
	case eventXON:
		p.mu.Lock()
		if p.xoff {
			p.xoff = false
			close(p.flowCh)
		}
		p.mu.Unlock()
	case eventUnknown:
		p.log.Debug("printer sent an unexpected byte", "byte", ev.b)
	}
}

// write sends b within the write deadline. A write that does not finish
// closes the link: the bytes' fate is unknown and the link is suspect. The
// writing goroutine ends when the closed link makes its Write fail.
func (p *Printer) write(ctx context.Context, l Link, b []byte) error {
	done := make(chan error, 1)
	go func() {
		_, err := l.Write(b)
		done <- err
	}()
	t := time.NewTimer(p.cfg.WriteTimeout)
	defer t.Stop()
	select {
	case err := <-done:
		if err != nil {
			p.dropLink(l, err)
			return fmt.Errorf("printer: write: %w", err)
		}
		return nil
	case <-t.C:
		p.dropLink(l, ErrWriteTimeout)
		return ErrWriteTimeout
	case <-ctx.Done():
		p.dropLink(l, ctx.Err())
		return ctx.Err()
	}
}

// query sends DLE EOT n and returns the answer.
func (p *Printer) query(ctx context.Context, n byte) (byte, error) {
	answers, err := p.ask(ctx, nil, []byte{n})
	if err != nil {
		return 0, err
	}
	return answers[0], nil
}

// ask writes data followed by DLE EOT n for each n in requests, in one
// write, and returns the answers in order. One write instead of one per
// request: on a serial link every write waits for the line to drain, and
// every round trip costs a wake-up on both ends (issue 17: a job's fixed
// cost). DLE EOT is real-time, so the printer answers each request as it
// arrives and in order, while data still waits in its buffer.
func (p *Printer) ask(ctx context.Context, data, requests []byte) ([]byte, error) {
	l, err := p.ensureLink(ctx)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	status, gone := p.status, p.readErr
	p.mu.Unlock()
	for len(status) > 0 { // forget answers nobody waited for
		<-status
	}
	msg := make([]byte, 0, len(data)+3*len(requests))
	msg = append(msg, data...)
	for _, n := range requests {
		msg = append(msg, 0x10, 0x04, n)
	}
	if err := p.write(ctx, l, msg); err != nil {
		return nil, err
	}
	t := time.NewTimer(p.cfg.StatusTimeout)
	defer t.Stop()
	answers := make([]byte, 0, len(requests))
	for _, n := range requests {
		select {
		case b := <-status:
			answers = append(answers, b)
		case <-gone:
			return nil, fmt.Errorf("%w: link closed while waiting for DLE EOT %d", ErrNoReply, n)
		case <-t.C:
			return nil, fmt.Errorf("%w: DLE EOT %d unanswered after %s", ErrNoReply, n, p.cfg.StatusTimeout)
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return answers, nil
}

// Status asks DLE EOT 1, 2 and 4 (and 3 when an error is flagged) and adds
// the GPIO paper sensor if there is one.
func (p *Printer) Status(ctx context.Context) (Status, error) {
	p.jobMu.Lock()
	defer p.jobMu.Unlock()
	if p.cfg.NoStatus {
		return p.sensorStatus(), nil
	}
	return p.status1(ctx)
}

// sensorStatus is all a NoStatus printer can know: the GPIO sensor, if any.
func (p *Printer) sensorStatus() Status {
	var s Status
	if p.cfg.Sensor != nil && p.cfg.Sensor.PaperOut() {
		s.PaperEnd = true
	}
	return s
}

func (p *Printer) status1(ctx context.Context) (Status, error) {
	var s Status
	requests := []byte{requestPrinter, requestOffline, requestPaper}
	answers, err := p.ask(ctx, nil, requests)
	if err != nil {
		return Status{}, err
	}
	for i, n := range requests {
		s.apply(n, answers[i])
	}
	if s.Error {
		b, err := p.query(ctx, requestError)
		if err != nil {
			return Status{}, err
		}
		s.apply(requestError, b)
	}
	if p.cfg.Sensor != nil && p.cfg.Sensor.PaperOut() {
		s.PaperEnd = true
	}
	return s, nil
}

// Print sends one encoded slip and returns nil only once the printer has
// confirmed printing it. beforeSend is called after the status check and
// before the first byte goes out; if it fails nothing is sent (the spooler
// records the attempt there).
//
// Errors: ErrNotReady or ErrNoReply mean nothing was sent; ErrInterrupted
// and ErrUnconfirmed mean some or all of it may be on paper.
func (p *Printer) Print(ctx context.Context, doc Document, beforeSend func(context.Context) error) (Status, error) {
	p.jobMu.Lock()
	defer p.jobMu.Unlock()
	if p.cfg.NoStatus {
		return p.printBlind(ctx, doc, beforeSend)
	}
	s, err := p.status1(ctx)
	if err != nil {
		return s, err
	}
	if err := s.Err(); err != nil {
		return s, err
	}
	if s.PaperNearEnd {
		p.log.Warn("printer paper near end")
	}
	if beforeSend != nil {
		if err := beforeSend(ctx); err != nil {
			return s, err
		}
	}
	start := time.Now()
	var marker []byte // GS r 1 goes out with the last chunk: no round trip of its own
	if !p.cfg.NoGSr {
		p.dropStaleReplies()
		marker = []byte{0x1D, 0x72, 0x01}
	}
	if err := p.send(ctx, doc, marker); err != nil {
		return s, fmt.Errorf("%w: %w", ErrInterrupted, err)
	}
	s, err = p.confirm(ctx)
	if err != nil {
		return s, err
	}
	p.log.Info("printer job printed", "bytes", len(doc.Data), "took", time.Since(start))
	return s, nil
}

// printBlind prints for a NoStatus printer: the chunks are written with
// no DLE EOT or GS r, waiting only for XON; completion is the last write.
func (p *Printer) printBlind(ctx context.Context, doc Document, beforeSend func(context.Context) error) (Status, error) {
	s := p.sensorStatus()
	if err := s.Err(); err != nil {
		return s, err
	}
	l, err := p.ensureLink(ctx)
	if err != nil {
		return s, err
	}
	if beforeSend != nil {
		if err := beforeSend(ctx); err != nil {
			return s, err
		}
	}
	data := doc.Data
	for start := 0; start < len(data); {
		end := chunkEnd(doc.Breaks, start, len(data), p.cfg.ChunkBytes)
		if err := p.waitXON(ctx); err != nil {
			return s, fmt.Errorf("%w: %w", ErrInterrupted, err)
		}
		if err := p.write(ctx, l, data[start:end]); err != nil {
			return s, fmt.Errorf("%w: %w", ErrInterrupted, err)
		}
		start = end
	}
	p.log.Info("printer job written (status none: not confirmed by the printer)", "bytes", len(data))
	return s, nil
}

// send writes the document in chunks that end on command boundaries, each
// followed in the same write by DLE EOT 1: the answer paces the link and
// shows at once when the printer went offline mid-slip (paper out, cover
// opened). marker follows the last chunk.
func (p *Printer) send(ctx context.Context, doc Document, marker []byte) error {
	data := doc.Data
	for start := 0; ; {
		end := chunkEnd(doc.Breaks, start, len(data), p.cfg.ChunkBytes)
		if err := p.waitXON(ctx); err != nil {
			return err
		}
		chunk := data[start:end]
		if end == len(data) {
			chunk = append(chunk[:len(chunk):len(chunk)], marker...)
		}
		answers, err := p.ask(ctx, chunk, []byte{requestPrinter})
		if err != nil {
			return err
		}
		if answers[0]&0x08 != 0 {
			if err := p.waitOnline(ctx); err != nil {
				return err
			}
		}
		if start = end; start == len(data) {
			return nil
		}
	}
}

// chunkEnd is the last break after start within limit bytes, or the next
// break when one command alone is longer.
func chunkEnd(breaks []int, start, total, limit int) int {
	end := -1
	for _, b := range breaks {
		if b <= start {
			continue
		}
		if b-start > limit {
			if end < 0 {
				end = b
			}
			break
		}
		end = b
	}
	if end < 0 {
		return total
	}
	return end
}

func (p *Printer) waitXON(ctx context.Context) error {
	p.mu.Lock()
	xoff, ch := p.xoff, p.flowCh
	p.mu.Unlock()
	if !xoff {
		return nil
	}
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// waitOnline polls DLE EOT 1 until the printer is back online.
func (p *Printer) waitOnline(ctx context.Context) error {
	for {
		p.log.Warn("printer went offline during a job; waiting")
		if err := sleep(ctx, p.cfg.PollInterval); err != nil {
			return err
		}
		b, err := p.query(ctx, requestPrinter)
		if err != nil {
			return err
		}
		if b&0x08 == 0 {
			return nil
		}
	}
}

// dropStaleReplies forgets GS r answers nobody waited for, before a job
// asks for its own.
func (p *Printer) dropStaleReplies() {
	p.mu.Lock()
	stream := p.stream
	p.mu.Unlock()
	for len(stream) > 0 {
		<-stream
	}
}

// confirm waits for the answer to the GS r 1 sent after the job, which the
// printer gives only when it reaches it in the data: everything before it
// has been printed.
func (p *Printer) confirm(ctx context.Context) (Status, error) {
	if p.cfg.NoGSr {
		s, err := p.status1(ctx)
		if err == nil {
			err = s.Err()
		}
		if err != nil {
			return s, fmt.Errorf("%w: %w", ErrUnconfirmed, err)
		}
		return s, nil
	}
	p.mu.Lock()
	stream := p.stream
	p.mu.Unlock()
	waited := time.Duration(0)
	for {
		t := time.NewTimer(p.cfg.PollInterval)
		select {
		case b := <-stream:
			t.Stop()
			var s Status
			s.PaperNearEnd = b&0x03 != 0
			s.PaperEnd = b&0x0C != 0
			return s, nil
		case <-ctx.Done():
			t.Stop()
			return Status{}, fmt.Errorf("%w: %w", ErrUnconfirmed, ctx.Err())
		case <-t.C:
		}
		s, err := p.status1(ctx)
		if err != nil {
			return s, fmt.Errorf("%w: %w", ErrUnconfirmed, err)
		}
		if s.Err() == nil { // only time spent ready counts: a slip waits out a paper change
			waited += p.cfg.PollInterval
		}
		if waited >= p.cfg.ConfirmTimeout {
			return s, fmt.Errorf("%w: no GS r answer after %s", ErrUnconfirmed, waited)
		}
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// IsHeld reports whether err means the job was not sent and may simply be
// tried again later as it is.
func IsHeld(err error) bool {
	return (errors.Is(err, ErrNotReady) || errors.Is(err, ErrNoReply)) && !errors.Is(err, ErrInterrupted) && !errors.Is(err, ErrUnconfirmed)
}
