package promtext

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Type is a family's metric type, as written on its # TYPE line.
type Type string

// The types posd uses.
const (
	CounterType   Type = "counter"
	GaugeType     Type = "gauge"
	HistogramType Type = "histogram"
)

// Registry holds metric families and renders them. The zero value is not
// usable; call NewRegistry.
type Registry struct {
	render sync.Mutex // one scrape renders at a time (the runtime series share one snapshot)
	// snapshots run first in each render, under render: reads that
	// several families share (see RegisterRuntime).
	snapshots []func()
	mu        sync.Mutex
	fams      map[string]*family
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{fams: map[string]*family{}} }

// family is one metric name with its help, type and children.
type family struct {
	name, help string
	typ        Type
	labels     []string
	// write renders the family's samples (not its HELP and TYPE lines).
	write func(b *bytes.Buffer)
}

func (r *Registry) register(f *family) {
	if !validName(f.name, true) {
		panic(fmt.Sprintf("promtext: bad metric name %q", f.name))
	}
	for _, l := range f.labels {
		if !validName(l, false) || l == "le" && f.typ == HistogramType {
			panic(fmt.Sprintf("promtext: bad label name %q on %s", l, f.name))
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.fams[f.name]; dup {
		panic(fmt.Sprintf("promtext: %s registered twice", f.name))
	}
	r.fams[f.name] = f
}

// validName reports whether s is a metric name (colons allowed) or a label name.
func validName(s string, metric bool) bool {
	if s == "" || strings.HasPrefix(s, "__") && !metric {
		return false
	}
	for i, c := range s {
		switch {
		case c == '_', 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case c == ':' && metric:
		case '0' <= c && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// Render returns every family in the text format, sorted by name, children
// sorted by label values, so two scrapes of the same state are equal.
func (r *Registry) Render() []byte {
	r.render.Lock()
	defer r.render.Unlock()
	r.mu.Lock()
	snapshots := r.snapshots
	r.mu.Unlock()
	for _, f := range snapshots {
		f()
	}
	r.mu.Lock()
	names := make([]string, 0, len(r.fams))
	for n := range r.fams {
		names = append(names, n)
	}
	fams := make([]*family, 0, len(names))
	slices.Sort(names)
	for _, n := range names {
		fams = append(fams, r.fams[n])
	}
	r.mu.Unlock()
	var b bytes.Buffer
	for _, f := range fams {
		b.WriteString("# HELP ")
		b.WriteString(f.name)
		b.WriteByte(' ')
		b.WriteString(helpEscaper.Replace(f.help))
		b.WriteString("\n# TYPE ")
		b.WriteString(f.name)
		b.WriteByte(' ')
		b.WriteString(string(f.typ))
		b.WriteByte('\n')
		f.write(&b)
	}
	return b.Bytes()
}

var (
	helpEscaper  = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
	valueEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`)
)

// sample writes one line: name{labels} value.
func sample(b *bytes.Buffer, name string, labels, values []string, extra string, v string) {
	b.WriteString(name)
	if len(labels) > 0 || extra != "" {
		b.WriteByte('{')
		for i, l := range labels {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(l)
			b.WriteString(`="`)
			b.WriteString(valueEscaper.Replace(values[i]))
			b.WriteByte('"')
		}
		if extra != "" {
			if len(labels) > 0 {
				b.WriteByte(',')
			}
			b.WriteString(extra)
		}
		b.WriteByte('}')
	}
	b.WriteByte(' ')
	b.WriteString(v)
	b.WriteByte('\n')
}

// formatFloat writes v as Prometheus reads it (+Inf, -Inf, NaN included).
func formatFloat(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.IsNaN(v):
		return "NaN"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// vec is the children of a labelled family, keyed by their joined label values.
type vec[T any] struct {
	name   string
	labels []string
	mu     sync.Mutex
	kids   map[string]*child[T]
	make   func() *T
}

type child[T any] struct {
	values []string
	m      *T
}

func newVec[T any](name string, labels []string, mk func() *T) *vec[T] {
	return &vec[T]{name: name, labels: labels, kids: map[string]*child[T]{}, make: mk}
}

// with returns the child for values, made on first use. A wrong number of
// values is a programming error.
func (v *vec[T]) with(values []string) *T {
	if len(values) != len(v.labels) {
		panic(fmt.Sprintf("promtext: %s takes %d label values, got %d", v.name, len(v.labels), len(values)))
	}
	key := strings.Join(values, "\xff")
	v.mu.Lock()
	defer v.mu.Unlock()
	c, ok := v.kids[key]
	if !ok {
		c = &child[T]{values: slices.Clone(values), m: v.make()}
		v.kids[key] = c
	}
	return c.m
}

// each calls f for every child, sorted by label values.
func (v *vec[T]) each(f func(values []string, m *T)) {
	v.mu.Lock()
	kids := make([]*child[T], 0, len(v.kids))
	for _, c := range v.kids {
		kids = append(kids, c)
	}
	v.mu.Unlock()
	slices.SortFunc(kids, func(a, b *child[T]) int { return slices.Compare(a.values, b.values) })
	for _, c := range kids {
		f(c.values, c.m)
	}
}

// Counter is a count that only goes up, kept as an integer.
type Counter struct{ n atomic.Uint64 }

// Inc adds one.
func (c *Counter) Inc() { c.n.Add(1) }

// Add adds n.
func (c *Counter) Add(n uint64) { c.n.Add(n) }

// Value is the count so far.
func (c *Counter) Value() uint64 { return c.n.Load() }

// CounterVec is a counter per label set.
type CounterVec struct{ v *vec[Counter] }

// With returns the counter for the label values, in the order the labels were registered.
func (c *CounterVec) With(values ...string) *Counter { return c.v.with(values) }

// NewCounterVec registers a counter family with the given labels.
func (r *Registry) NewCounterVec(name, help string, labels ...string) *CounterVec {
	v := newVec(name, labels, func() *Counter { return new(Counter) })
	r.register(&family{name: name, help: help, typ: CounterType, labels: labels, write: func(b *bytes.Buffer) {
		v.each(func(values []string, c *Counter) {
			sample(b, name, labels, values, "", strconv.FormatUint(c.Value(), 10))
		})
	}})
	return &CounterVec{v}
}

// Gauge is a value that goes up and down.
type Gauge struct{ bits atomic.Uint64 }

// Set makes the gauge v.
func (g *Gauge) Set(v float64) { g.bits.Store(math.Float64bits(v)) }

// Value is the gauge's value.
func (g *Gauge) Value() float64 { return math.Float64frombits(g.bits.Load()) }

// NewGauge registers a gauge without labels.
func (r *Registry) NewGauge(name, help string) *Gauge {
	return r.NewGaugeVec(name, help).With()
}

// GaugeVec is a gauge per label set.
type GaugeVec struct{ v *vec[Gauge] }

// With returns the gauge for the label values.
func (g *GaugeVec) With(values ...string) *Gauge { return g.v.with(values) }

// NewGaugeVec registers a gauge family with the given labels.
func (r *Registry) NewGaugeVec(name, help string, labels ...string) *GaugeVec {
	v := newVec(name, labels, func() *Gauge { return new(Gauge) })
	r.register(&family{name: name, help: help, typ: GaugeType, labels: labels, write: func(b *bytes.Buffer) {
		v.each(func(values []string, g *Gauge) {
			sample(b, name, labels, values, "", formatFloat(g.Value()))
		})
	}})
	return &GaugeVec{v}
}

// NewGaugeFunc registers a gauge without labels whose value f gives at each scrape.
func (r *Registry) NewGaugeFunc(name, help string, f func() float64) {
	r.register(&family{name: name, help: help, typ: GaugeType, write: func(b *bytes.Buffer) {
		sample(b, name, nil, nil, "", formatFloat(f()))
	}})
}

// Emit adds one sample to a scrape: its value and label values.
type Emit func(v float64, values ...string)

// NewFunc registers a family of type typ (counter or gauge) whose samples
// collect gives at each scrape. collect runs under the registry's render,
// so it must not wait long.
func (r *Registry) NewFunc(name, help string, typ Type, labels []string, collect func(emit Emit)) {
	if typ != CounterType && typ != GaugeType {
		panic(fmt.Sprintf("promtext: %s: a func family is a counter or a gauge", name))
	}
	r.register(&family{name: name, help: help, typ: typ, labels: labels, write: func(b *bytes.Buffer) {
		collect(func(v float64, values ...string) {
			if len(values) != len(labels) {
				panic(fmt.Sprintf("promtext: %s takes %d label values, got %d", name, len(labels), len(values)))
			}
			sample(b, name, labels, values, "", formatFloat(v))
		})
	}})
}

// Histogram counts observations into cumulative buckets.
type Histogram struct {
	bounds []float64 // upper bounds, ascending, without +Inf
	mu     sync.Mutex
	counts []uint64 // per bucket (not cumulative), the last is +Inf
	sum    float64
}

// Observe counts one observation.
func (h *Histogram) Observe(v float64) {
	i, _ := slices.BinarySearch(h.bounds, v) // le: v <= bound
	h.mu.Lock()
	h.counts[i]++
	h.sum += v
	h.mu.Unlock()
}

// HistogramVec is a histogram per label set.
type HistogramVec struct{ v *vec[Histogram] }

// With returns the histogram for the label values.
func (h *HistogramVec) With(values ...string) *Histogram { return h.v.with(values) }

// NewHistogramVec registers a histogram family with the given bucket upper
// bounds (ascending; +Inf is added) and labels.
func (r *Registry) NewHistogramVec(name, help string, bounds []float64, labels ...string) *HistogramVec {
	if len(bounds) == 0 || !slices.IsSorted(bounds) || slices.Contains(bounds, math.Inf(1)) {
		panic(fmt.Sprintf("promtext: %s: bucket bounds must ascend, without +Inf", name))
	}
	bounds = slices.Clone(bounds)
	les := make([]string, len(bounds)+1)
	for i, u := range bounds {
		les[i] = `le="` + formatFloat(u) + `"`
	}
	les[len(bounds)] = `le="+Inf"`
	v := newVec(name, labels, func() *Histogram {
		return &Histogram{bounds: bounds, counts: make([]uint64, len(bounds)+1)}
	})
	r.register(&family{name: name, help: help, typ: HistogramType, labels: labels, write: func(b *bytes.Buffer) {
		v.each(func(values []string, h *Histogram) {
			h.mu.Lock()
			counts, sum := slices.Clone(h.counts), h.sum
			h.mu.Unlock()
			var cum uint64
			for i, n := range counts {
				cum += n
				sample(b, name+"_bucket", labels, values, les[i], strconv.FormatUint(cum, 10))
			}
			sample(b, name+"_sum", labels, values, "", formatFloat(sum))
			sample(b, name+"_count", labels, values, "", strconv.FormatUint(cum, 10))
		})
	}})
	return &HistogramVec{v}
}
