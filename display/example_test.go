package display_test

import (
	"fmt"

	"github.com/posd/posd/display"
)

// How a typical order-code URL fits a 240-pixel square: version 5 at level Q
// (the sturdiest level that keeps 5 pixels per module), 45 modules with the
// quiet zone, 225 pixels wide.
func ExamplePlanQR() {
	p, err := display.PlanQR("https://qr.alipay.com/281002040092rDrbN1ijPfPJK7QAc1Ol0V9w3Hc1", 240)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("version %d-%s, %d modules, %d px/module, %d px\n", p.Version, p.LevelName(), p.Modules, p.Pixels, p.Side())
	// Output: version 5-Q, 45 modules, 5 px/module, 225 px
}
