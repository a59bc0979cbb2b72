package virtual

// code128Patterns are the bar/space widths of CODE128 symbols 0-106 (106 is
// the stop pattern with its final bar).
var code128Patterns = [107]string{
	"212222", "222122", "222221", "121223", "121322", "131222", "122213", "122312", "132212", "221213",
	"221312", "231212", "112232", "122132", "122231", "113222", "123122", "123221", "223211", "221132",
	"221231", "213212", "223112", "312131", "311222", "321122", "321221", "312212", "322112", "322211",
	"212123", "212321", "232121", "111323", "131123", "131321", "112313", "132113", "132311", "211313",
	"231113", "231311", "112133", "112331", "132131", "113123", "113321", "133121", "313121", "211331",
	"231131", "213113", "213311", "213131", "311123", "311321", "331121", "312113", "312311", "332111",
	"314111", "221411", "431111", "111224", "111422", "121124", "121421", "141122", "141221", "112214",
	"112412", "122114", "122411", "142112", "142211", "241211", "221114", "413111", "241112", "134111",
	"111242", "121142", "121241", "114212", "124112", "124211", "411212", "421112", "421211", "212141",
	"214121", "412121", "111143", "111341", "131141", "114113", "114311", "411113", "411311", "113141",
	"114131", "311141", "411131", "211412", "211214", "211232", "2331112",
}

// code128Symbols turns ESC/POS GS k CODE128 data (code set chosen with
// "{A", "{B", "{C", a literal "{" written "{{") into symbol values with
// start, check and stop, and the human-readable text. ok is false for data
// a printer would refuse.
func code128Symbols(data []byte) (symbols []int, text string, ok bool) {
	if len(data) < 2 || data[0] != '{' {
		return nil, "", false
	}
	set := byte(0)
	var hri []byte
	for i := 0; i < len(data); i++ {
		c := data[i]
		if c == '{' {
			if i+1 >= len(data) {
				return nil, "", false
			}
			i++
			switch sel := data[i]; sel {
			case 'A', 'B', 'C':
				start := map[byte]int{'A': 103, 'B': 104, 'C': 105}[sel]
				if set == 0 {
					symbols = append(symbols, start)
				} else {
					symbols = append(symbols, map[byte]int{'A': 101, 'B': 100, 'C': 99}[sel])
				}
				set = sel
				continue
			case '{':
				c = '{'
			default:
				return nil, "", false
			}
		}
		switch set {
		case 'A':
			switch {
			case c < 0x20:
				symbols = append(symbols, int(c)+64)
			case c < 0x60:
				symbols = append(symbols, int(c)-32)
			default:
				return nil, "", false
			}
			hri = append(hri, c)
		case 'B':
			if c < 0x20 || c > 0x7F {
				return nil, "", false
			}
			symbols = append(symbols, int(c)-32)
			hri = append(hri, c)
		case 'C':
			if c > 99 {
				return nil, "", false
			}
			symbols = append(symbols, int(c))
			hri = append(hri, '0'+c/10, '0'+c%10)
		default:
			return nil, "", false
		}
	}
	if len(symbols) < 2 {
		return nil, "", false
	}
	sum := symbols[0]
	for i, s := range symbols[1:] {
		sum += (i + 1) * s
	}
	symbols = append(symbols, sum%103, 106)
	return symbols, string(hri), true
}

// code128Modules expands symbols into modules, true = bar.
func code128Modules(symbols []int) []bool {
	var m []bool
	for _, s := range symbols {
		bar := true
		for _, w := range code128Patterns[s] {
			for range int(w - '0') {
				m = append(m, bar)
			}
			bar = !bar
		}
	}
	return m
}
