// Package kiosk serves a display.Kiosk as a web page for a browser in
// kiosk mode: the page at "/", the current state as JSON at "/state" and
// every change as server-sent events at "/events", relative to where it is
// mounted. The page reconnects by itself and draws the QR on a canvas at a
// whole number of device pixels per module.
package kiosk
