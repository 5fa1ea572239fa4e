package timeline

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/trustc-dev/trustc/internal/refdata"
	"github.com/trustc-dev/trustc/internal/tooltest"
	"github.com/trustc-dev/trustc/release"
)

// TestSVGInChromium renders every environment's SVG (golden/ and each
// published production version) with headless Chromium and checks the
// picture's structure, not its pixels: the page is not blank, and every
// bar the geometry puts at a row is there in its colour, with background
// between rows, the highlight outline on changed rows, the now line where
// Now falls, and the legend swatches. Fonts differ between machines, so
// no text is compared.
//
// It runs where Chromium is installed (Debian: apt-get install chromium);
// .ci/run installs it and makes its absence a failure.
func TestSVGInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Chromium; skipped with -short")
	}
	chromium := tooltest.Look(t, "chromium", "install it (Debian: apt-get install chromium)", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

	envs := realEnvs(t)
	golden, err := release.Read(os.DirFS(filepath.Join(refdata.ModuleRoot(t), "golden")), "")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range golden.Envs {
		envs = append(envs, named{"golden-" + e.Name, e})
	}
	for _, e := range envs {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			tl := New(e.env, now)
			tl.Highlight("trusted_root.json", "tlogs[0].publicKey.validFor.start")
			img := screenshot(t, chromium, tl.SVG())
			checkPicture(t, tl, img)
		})
	}
}

// screenshot renders svg at one device pixel per SVG unit and decodes the
// PNG. Every flag keeps Chromium off the network and out of $HOME.
func screenshot(t *testing.T, chromium string, svg []byte) image.Image {
	t.Helper()
	dir := t.TempDir()
	in, out := filepath.Join(dir, "timeline.svg"), filepath.Join(dir, "shot.png")
	if err := os.WriteFile(in, svg, 0o644); err != nil {
		t.Fatal(err)
	}
	w, h := svgSize(t, svg)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromium,
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-default-apps", "--disable-extensions", "--hide-scrollbars", "--mute-audio",
		"--force-device-scale-factor=1", "--force-color-profile=srgb",
		"--user-data-dir="+filepath.Join(dir, "profile"),
		"--screenshot="+out, fmt.Sprintf("--window-size=%d,%d", w, h),
		"file://"+in)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	msg, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", chromium, err, msg)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatalf("chromium wrote no screenshot: %v\n%s", err, msg)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("decode screenshot: %v", err)
	}
	if b := img.Bounds(); b.Dx() != w || b.Dy() != h {
		t.Fatalf("screenshot is %dx%d, want %dx%d", b.Dx(), b.Dy(), w, h)
	}
	return img
}

// svgSize reads the root element's width and height.
func svgSize(t *testing.T, svg []byte) (int, int) {
	var w, h float64
	i := bytes.Index(svg, []byte("<svg "))
	if i < 0 {
		t.Fatal("no <svg> element")
	}
	if _, err := fmt.Sscanf(string(svg[i:]), `<svg xmlns="http://www.w3.org/2000/svg" width="%g" height="%g"`, &w, &h); err != nil {
		t.Fatalf("read svg size: %v", err)
	}
	return int(math.Ceil(w)), int(math.Ceil(h))
}

func rgb(hex string) color.RGBA {
	var c color.RGBA
	fmt.Sscanf(hex, "#%02x%02x%02x", &c.R, &c.G, &c.B)
	c.A = 255
	return c
}

// near allows for colour rounding, not for another colour: the palette's
// colours are far more than 12 apart in some channel.
func near(a, b color.RGBA) bool {
	d := func(x, y uint8) bool { return math.Abs(float64(x)-float64(y)) <= 12 }
	return d(a.R, b.R) && d(a.G, b.G) && d(a.B, b.B)
}

func at(img image.Image, x, y float64) color.RGBA {
	r, g, b, _ := img.At(int(math.Floor(x)), int(math.Floor(y))).RGBA()
	return color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), 255}
}

// checkPicture walks the rows as SVG lays them out and samples the
// screenshot where each must show.
func checkPicture(t *testing.T, tl *Timeline, img image.Image) {
	t.Helper()
	white := rgb("#ffffff")
	b := img.Bounds()
	ink := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if !near(at(img, float64(x), float64(y)), white) {
				ink++
			}
		}
	}
	if share := float64(ink) / float64(b.Dx()*b.Dy()); share < 0.02 {
		t.Fatalf("the picture is blank: %.2f%% of pixels are not white", share*100)
	}

	// Where the now line and the year grid cross a bar, the bar's colour is
	// not the one to expect; keep clear of them.
	var avoid []float64
	for y := tl.From.Year(); y <= tl.To.Year(); y++ {
		avoid = append(avoid, tl.x(time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)))
	}
	if !tl.Now.IsZero() {
		avoid = append(avoid, tl.x(tl.Now))
	}
	clear := func(x float64) bool {
		for _, a := range avoid {
			if math.Abs(x-a) < 4 {
				return false
			}
		}
		return true
	}

	y := svgTop
	group := ""
	checked, highlighted := 0, 0
	for _, r := range tl.Rows {
		if r.Group != group {
			group = r.Group
			y += svgGroupH
		}
		barY := y + (svgRowH-svgBarH)/2
		y += svgRowH
		start, end := tl.drawn(r)
		x0, x1 := tl.x(start), tl.x(end)
		fill := rgb(colourTrust)
		if r.Kind == Sign {
			fill = rgb(colourSign)
		}
		var red [][2]float64
		for _, u := range r.Untrusted {
			x0, x1 := tl.spanX(u)
			red = append(red, [2]float64{x0, x1})
		}
		// Up to nine points across the bar, each well inside it and clear
		// of the lines drawn over it and of the edges of red overlays.
		sampled := 0
		for k := 1; k <= 9; k++ {
			x := x0 + (x1-x0)*float64(k)/10
			if x-x0 < 3 || x1-x < 3 || !clear(x) {
				continue
			}
			want, ok := fill, true
			for _, s := range red {
				switch {
				case x > s[0]+2 && x < s[1]-2:
					want = rgb(colourUntrusted)
				case x > s[0]-2 && x < s[1]+2:
					ok = false
				}
			}
			if !ok {
				continue
			}
			where := fmt.Sprintf("%s %s %s %s at (%.0f, %.0f)", r.Kind, r.Name, r.File, r.Path, x, barY+svgBarH/2)
			if got := at(img, x, barY+svgBarH/2); !near(got, want) {
				t.Errorf("%s: colour %v, want %v", where, got, want)
			}
			// Between rows there is background, so bars are where the
			// rows are and no taller.
			if got := at(img, x, barY-3); !near(got, white) {
				t.Errorf("%s: above the bar colour %v, want background", where, got)
			}
			if got := at(img, x, barY+svgBarH+3); !near(got, white) {
				t.Errorf("%s: below the bar colour %v, want background", where, got)
			}
			if r.Highlight {
				if got := at(img, x, barY-1); !near(got, rgb(colourHighlight)) {
					t.Errorf("%s: highlighted row's outline colour %v, want %s", where, got, colourHighlight)
				}
				highlighted++
			}
			sampled++
		}
		// Only a bar a few pixels wide (an instant) may go unsampled.
		if sampled == 0 && x1-x0 >= 12 {
			t.Errorf("%s %s %s %s: %.0f pixels wide, but no point of it was sampled", r.Kind, r.Name, r.File, r.Path, x1-x0)
		}
		checked += sampled
	}
	if checked < len(tl.Rows) {
		t.Errorf("sampled %d points on %d rows; the sampling misses rows", checked, len(tl.Rows))
	}
	t.Logf("%d rows, %d points sampled on bars, %d on highlight outlines", len(tl.Rows), checked, highlighted)
	if highlighted == 0 {
		t.Errorf("no highlighted row was sampled")
	}

	// The dashed now line: at least a third of its column is its colour.
	if !tl.Now.IsZero() {
		x := tl.x(tl.Now)
		n, total := 0, 0
		for yy := svgTop; yy < y; yy++ {
			total++
			if near(at(img, x, yy), rgb(colourNow)) {
				n++
			}
		}
		if n*3 < total {
			t.Errorf("now line at x=%.0f: %d of %d pixels are its colour", x, n, total)
		}
	}

	// Legend swatches, at their fixed slots below the chart.
	ly := y + 24 // height - svgFooterH + 24, as SVG computes it
	for i, c := range []string{colourTrust, colourSign, "", colourUntrusted} {
		if c == "" {
			continue // the waiting pattern is stripes
		}
		lx := 10 + float64(i%3)*460
		row := ly + float64(i/3)*20
		if got := at(img, lx+9, row-4); !near(got, rgb(c)) {
			t.Errorf("legend swatch %d: colour %v, want %s", i, got, c)
		}
	}
}
