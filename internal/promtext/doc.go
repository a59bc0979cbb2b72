// Package promtext keeps posd's counters, gauges and histograms and writes
// them in Prometheus's text exposition format, version 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats/).
//
// It replaces prometheus/client_golang, whose protobuf dependency calls
// reflect.Value.MethodByName and so keeps every exported method of the
// whole program in the binary: 2.2 MB of a 10.5 MB budget on a 32-bit Pi.
// posd needs only the text format, a few dozen series and no pushing, so
// the registry is small: families are registered once at start (a bad name
// is a programming error and panics there), children are made on first use
// of a label set, and a scrape renders everything under one lock into a
// buffer the caller writes out.
//
// Counters are integers, so sums of money in minor units stay exact; a
// value becomes text only when scraped.
package promtext
