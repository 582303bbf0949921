package figures

import (
	"fmt"
	"html"
	"io"
	"math"
)

// WriteChart writes an SVG bar chart of the paired ratios: one group per
// scenario, one bar per contender at its median ratio, a whisker from the
// lowest to the highest round, and a line at 1.0 (raw net/http).
func WriteChart(w io.Writer, s *Summary) {
	const (
		width, labelW, rightPad = 780.0, 250.0, 60.0
		top, rowH, groupH, bar  = 40.0, 20.0, 26.0, 13.0
	)
	hi := 1.1
	rows := 0
	groups := 0
	for _, sc := range Scenarios {
		n := 0
		for _, r := range s.Rows {
			if r.Scenario == sc.Name && r.Ratio.Median > 0 {
				hi = math.Max(hi, r.Ratio.Max)
				n++
			}
		}
		if n > 0 {
			rows += n
			groups++
		}
	}
	step := 0.25 // grid step, coarser for a wide range so labels do not collide
	switch {
	case hi > 4:
		step = 1
	case hi > 2:
		step = 0.5
	}
	hi = math.Ceil(hi/step) * step
	plotW := width - labelW - rightPad
	x := func(v float64) float64 { return labelW + v/hi*plotW }
	height := top + float64(groups)*groupH + float64(rows)*rowH + 48
	p := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }

	p(`<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" font-family="sans-serif" font-size="12">`+"\n",
		width, height, width, height)
	p(`<rect width="100%%" height="100%%" fill="#fff"/>` + "\n")
	p(`<text x="%.0f" y="20" font-size="14" font-weight="bold">Requests per second, paired ratio to raw net/http (median, min–max)</text>`+"\n", 10.0)
	p(`<text x="%.0f" y="%.0f" fill="#555">WebSocket: messages per second against bare coder/websocket. Higher is better.</text>`+"\n", 10.0, height-8)
	// Grid and axis labels.
	bottom := height - 42
	for v := 0.0; v <= hi+1e-9; v += step {
		col := "#e5e5e5"
		if v == 1 {
			col = "#555"
		}
		p(`<line x1="%.1f" y1="%.0f" x2="%.1f" y2="%.0f" stroke="%s"/>`+"\n", x(v), top-6, x(v), bottom, col)
		p(`<text x="%.1f" y="%.0f" text-anchor="middle" fill="#555">%.2f</text>`+"\n", x(v), bottom+14, v)
	}
	y := top
	for _, sc := range Scenarios {
		var group []Row
		for _, r := range s.Rows {
			if r.Scenario == sc.Name && r.Ratio.Median > 0 {
				group = append(group, r)
			}
		}
		if len(group) == 0 {
			continue
		}
		p(`<text x="10" y="%.0f" font-weight="bold">%s</text>`+"\n", y+16, html.EscapeString(sc.Title))
		y += groupH
		for _, r := range group {
			fill := "#9db4cf"
			switch r.Contender {
			case "hyperlane":
				fill = "#d9480f"
			case "hyperlane-nodeadline", Metrics:
				fill = "#f0a070"
			case Ceiling, "fiber":
				fill = "#c8c8c8"
			}
			cy := y + rowH/2
			p(`<text x="%.0f" y="%.1f" text-anchor="end" dominant-baseline="middle">%s</text>`+"\n", labelW-8, cy, html.EscapeString(Label(sc.Name, r.Contender)))
			p(`<rect x="%.1f" y="%.1f" width="%.1f" height="%.0f" fill="%s"/>`+"\n", x(0), cy-bar/2, x(r.Ratio.Median)-x(0), bar, fill)
			p(`<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#222"/>`+"\n", x(r.Ratio.Min), cy, x(r.Ratio.Max), cy)
			p(`<text x="%.1f" y="%.1f" dominant-baseline="middle" fill="#222">%.2f</text>`+"\n", x(r.Ratio.Max)+6, cy, r.Ratio.Median)
			y += rowH
		}
	}
	p("</svg>\n")
}
