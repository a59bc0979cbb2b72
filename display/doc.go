// Package display shows the customer what is going on at the till: the
// amount, the payment QR code the customer scans with Alipay, a countdown to
// the code's expiry, and the outcome.
//
// A Screen is a plain value that says what to show. Render turns a Screen
// into an image for a panel of any size; it is pure (the clock is passed in),
// so every layout can be tested without hardware. A Display shows Screens on
// one device. Drivers for the Linux framebuffer, SSD1306/SH1106 I2C OLEDs,
// ST7789/ILI9341 SPI TFTs, a kiosk web page (server-sent events), an ANSI
// terminal and PNG snapshots live beside the interface; Open picks one by
// name from a Config.
//
// What the package promises:
//
//   - A payment QR is drawn with whole pixels per module, dark on light, with
//     a light quiet zone of at least 4 modules, as large as the panel allows.
//     When the panel cannot show the code at MinModulePixels per module or
//     more, the waiting screen says so instead of drawing a code phones cannot
//     read (ErrQRTooLarge from PlanQR tells why).
//   - A 128x64 OLED never shows the payment QR: it is a cashier-facing amount
//     and status display.
//   - Money is shown from money.Amount (integer minor units); no floating
//     point is involved.
//   - A waiting screen whose code has expired no longer shows the code.
//   - FailSafe wraps any Display so that a broken display never stops a
//     payment: failures are logged, counted and reported through Health, and
//     Show never returns the device's error to the payment flow.
//
// Drivers that cannot open their device fail with an error naming the device
// and the Unix group that grants access (ErrPermission).
//
// Wiring in the daemon:
//
//	d, err := display.Open(ctx, cfg)              // cfg.Driver: "framebuffer", "st7789", "kiosk", ...
//	if k, ok := d.(*display.Kiosk); ok {          // the kiosk page (package display/kiosk)
//		mux.Handle("/display/", http.StripPrefix("/display", kiosk.Handler(k, kiosk.Config{})))
//	}
//	safe := display.NewFailSafe(d, display.FailSafeConfig{Logger: log, OnHealth: tellCashier})
//	go safe.Run(ctx, time.NewTicker(time.Second).C) // countdown and recovery
//	safe.Show(ctx, display.Screen{Kind: display.Idle, Merchant: "Golden Dragon"})
//
// Text uses GNU Unifont (DefaultHexFontPath, Debian package unifont) when it
// is installed, for CJK merchant names; otherwise an ASCII font compiled in,
// and other characters show as empty boxes. Only displays that draw pixels
// open it, and they read a glyph from the sorted file when it is first
// drawn (OpenHexFont), so start-up never parses its 57,000 glyphs.
package display
