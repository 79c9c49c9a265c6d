package main

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
)

var (
	colBG       = color.RGBA{255, 255, 255, 255}
	colText     = color.RGBA{30, 30, 30, 255}
	colMuted    = color.RGBA{110, 110, 110, 255}
	colGrid     = color.RGBA{225, 225, 225, 255}
	colOther    = color.RGBA{150, 150, 160, 255}
	colGatewayd = color.RGBA{31, 119, 180, 255}
	colDirect   = color.RGBA{90, 160, 90, 255}
	colP50      = color.RGBA{140, 190, 230, 255}
	colP99      = color.RGBA{31, 80, 150, 255}
	colWhisker  = color.RGBA{20, 20, 20, 255}
)

const (
	chartW   = 1200
	scale    = 2
	rowH     = 30
	labelW   = 17 * 6 * scale
	barX     = labelW + 20
	barMaxW  = 640
	panelGap = 30
)

// chart draws throughput per layout and fixed-rate latency as a PNG.
func (r *report) chart() ([]byte, error) {
	type panel struct {
		h    int
		draw func(img *image.RGBA, y int)
	}
	var panels []panel
	for _, m := range r.Modes {
		m := m
		rows := len(m.Contenders)
		panels = append(panels, panel{h: 40 + rows*rowH, draw: func(img *image.RGBA, y int) { r.throughputPanel(img, y, m) }})
		if m.Rate > 0 {
			n := 0
			for _, c := range m.Contenders {
				if len(c.Fixed) > 0 {
					n++
				}
			}
			panels = append(panels, panel{h: 40 + n*rowH*2, draw: func(img *image.RGBA, y int) { r.latencyPanel(img, y, m) }})
		}
	}
	h := 50
	for _, p := range panels {
		h += p.h + panelGap
	}
	img := image.NewRGBA(image.Rect(0, 0, chartW, h))
	draw.Draw(img, img.Bounds(), &image.Uniform{colBG}, image.Point{}, draw.Src)
	drawText(img, 16, 14, fmt.Sprintf("gatewayd vs nginx, HAProxy, Caddy - %s, %s", r.Machine.CPUModel, r.Started.UTC().Format("2006-01-02")), scale, colText)
	y := 50
	for _, p := range panels {
		p.draw(img, y)
		y += p.h + panelGap
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func fillRect(img *image.RGBA, x0, y0, x1, y1 int, c color.Color) {
	draw.Draw(img, image.Rect(x0, y0, x1, y1), &image.Uniform{c}, image.Point{}, draw.Src)
}

func (r *report) throughputPanel(img *image.RGBA, y int, m *layoutResult) {
	title := "requests/s, pinned: proxy on 1 core (median, min-max)"
	if m.Layout.Name == "issue" {
		title = "requests/s, issue config: unpinned, 2 workers (median, min-max)"
	}
	drawText(img, 16, y, title, scale, colText)
	y += 30
	top := 0.0
	for _, c := range m.Contenders {
		_, hi := minMax(collect(c, func(s sample) float64 { return s.W.RPS() }))
		top = max(top, hi)
	}
	if top == 0 {
		return
	}
	nginx := m.find("nginx")
	for i := 0; i <= 4; i++ {
		x := barX + i*barMaxW/4
		fillRect(img, x, y, x+1, y+len(m.Contenders)*rowH, colGrid)
	}
	for _, c := range m.Contenders {
		rps := collect(c, func(s sample) float64 { return s.W.RPS() })
		med := median(rps)
		lo, hi := minMax(rps)
		drawText(img, 16, y+8, c.Key, scale, colText)
		col := colOther
		switch {
		case c.Gatewayd:
			col = colGatewayd
		case c.Key == "direct":
			col = colDirect
		}
		w := int(med / top * barMaxW)
		fillRect(img, barX, y+4, barX+w, y+rowH-4, col)
		xl, xh := barX+int(lo/top*barMaxW), barX+int(hi/top*barMaxW)
		mid := y + rowH/2
		fillRect(img, xl, mid-1, xh+1, mid+1, colWhisker)
		fillRect(img, xl, mid-6, xl+2, mid+6, colWhisker)
		fillRect(img, xh-1, mid-6, xh+1, mid+6, colWhisker)
		label := fmt.Sprintf("%.0f", med)
		if nginx != nil && c != nginx && medianRPS(nginx) > 0 {
			label += fmt.Sprintf("  (%.2f x nginx)", med/medianRPS(nginx))
		}
		drawText(img, barX+max(w, xh-barX)+10, y+8, label, scale, colText)
		y += rowH
	}
}

func (r *report) latencyPanel(img *image.RGBA, y int, m *layoutResult) {
	drawText(img, 16, y, fmt.Sprintf("latency at a fixed %.0f req/s, microseconds: p50 (light), p99 (dark)", m.Rate), scale, colText)
	y += 30
	top := 0.0
	for _, c := range m.Contenders {
		if len(c.Fixed) > 0 {
			top = max(top, median(collectFixed(c, func(f fixedRateResult) float64 { return f.P99 })))
		}
	}
	if top == 0 {
		return
	}
	// Latencies of a saturated contender dwarf the rest: cap the axis at
	// 4x the median p99 and mark the bars that go past it.
	var p99s []float64
	for _, c := range m.Contenders {
		if len(c.Fixed) > 0 {
			p99s = append(p99s, median(collectFixed(c, func(f fixedRateResult) float64 { return f.P99 })))
		}
	}
	top = min(top, 4*median(p99s))
	for _, c := range m.Contenders {
		if len(c.Fixed) == 0 {
			continue
		}
		p50 := median(collectFixed(c, func(f fixedRateResult) float64 { return f.P50 }))
		p99 := median(collectFixed(c, func(f fixedRateResult) float64 { return f.P99 }))
		drawText(img, 16, y+8+rowH/2, c.Key, scale, colText)
		for i, v := range []float64{p50, p99} {
			col := colP50
			if i == 1 {
				col = colP99
			}
			w := int(min(v, top) / top * barMaxW)
			yy := y + i*rowH
			fillRect(img, barX, yy+4, barX+max(w, 1), yy+rowH-4, col)
			label := fmt.Sprintf("%.0f", v)
			if v > top {
				label += " >>"
			}
			drawText(img, barX+w+10, yy+8, label, scale, colMuted)
		}
		y += 2 * rowH
	}
}
