package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/posd/posd/internal/posapi"
)

// runStatus prints what posd is doing.
func runStatus(args []string, s stdio) int {
	fs, g := daemonFlags("status", s)
	if code := parseFlags(fs, args); code >= 0 {
		return code
	}
	return call(s, g, func(ctx context.Context, c *posapi.Client) error {
		st, err := c.Status(ctx)
		if err != nil {
			return err
		}
		if g.json {
			return printJSON(s.out, st)
		}
		writeStatus(s.out, st)
		return nil
	})
}

func writeStatus(w io.Writer, st posapi.Status) {
	taking := "taking payments"
	if !st.Accepting {
		taking = "NOT taking new payments"
	}
	fmt.Fprintf(w, "posd %s: %s\n", st.Version, taking)
	if st.Stopped != "" {
		fmt.Fprintf(w, "STOPPED   %s\n", st.Stopped)
	}
	fmt.Fprintf(w, "till      %s: %s", st.Till, st.Screen)
	if st.Amount != "" {
		fmt.Fprintf(w, "  %s", st.Amount)
	}
	fmt.Fprintln(w)
	if st.Current != "" {
		fmt.Fprintf(w, "payment   %s\n", st.Current)
	}
	if st.QR != "" {
		fmt.Fprintf(w, "qr        %s\n", st.QR)
	}
	if st.Notice != "" {
		fmt.Fprintf(w, "notice    %s\n", st.Notice)
	}
	fmt.Fprintf(w, "network   %s\nprinter   %s\noutbox    %d not final\n", st.Network, st.Printer, st.OutboxDepth)
	if e := st.Events; e != nil {
		conn := "connected to " + e.Broker
		if !e.Connected {
			conn = "NOT connected to " + e.Broker
			if e.LastError != "" {
				conn += " (" + e.LastError + ")"
			}
		}
		fmt.Fprintf(w, "events    %s, backlog %d", conn, e.Backlog)
		if !e.Oldest.IsZero() {
			fmt.Fprintf(w, " (oldest %s)", e.Oldest.UTC().Format(time.RFC3339))
		}
		fmt.Fprintf(w, ", published %d, dropped %d\n", e.Published, e.Dropped)
	}
	for _, a := range st.Alerts {
		fmt.Fprintf(w, "ALERT     %s\n", a)
	}
}
