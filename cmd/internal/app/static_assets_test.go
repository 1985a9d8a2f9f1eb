package app

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"image/png"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// getWith sends a GET with extra headers and returns the raw answer (a
// gzip body stays compressed).
func (c *client) getWith(t *testing.T, path string, header map[string]string) response {
	t.Helper()
	req, _ := http.NewRequest("GET", c.env.srv.URL+path, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	// Asking for gzip by hand keeps Go's transport from unpacking it.
	res, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: body}
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not gzip: %v", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

var versionedRE = regexp.MustCompile(`/static/v[0-9a-f]{12}/`)

// TestStaticAssets: static files are served compressed and cache-busted;
// the service worker and the manifest from the root; the offline form
// without session data.
func TestStaticAssets(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	worker := env.pageLogin("hoop.worker")
	page := worker.get("/contacts/new")
	// The contact form carries its stylesheet inline (one request to paint
	// on a slow network); other pages link the versioned file.
	if !bytes.Contains(page.body, []byte("<style>:root{")) {
		t.Errorf("the contact page does not carry its stylesheet inline")
	}
	css := regexp.MustCompile(`href="(/static/v[0-9a-f]{12}/app\.css)"`).FindSubmatch(worker.get("/contacts").body)
	if css == nil {
		t.Fatalf("no versioned stylesheet on the contacts page")
	}
	for _, want := range []string{`<link rel="manifest" href="/manifest.webmanifest">`, `/icons/icon.svg" type="image/svg+xml">`,
		`<script type="module" src="/static/v`, `<meta name="theme-color" content="#0b5d55">`} {
		if !bytes.Contains(page.body, []byte(want)) {
			t.Errorf("contact page lacks %s", want)
		}
	}
	anon := env.anonymous()

	// Versioned: a year, immutable; compressed when asked.
	res := anon.getWith(t, string(css[1]), map[string]string{"Accept-Encoding": "gzip"})
	if res.status != 200 || res.header.Get("Cache-Control") != "public, max-age=31536000, immutable" ||
		res.header.Get("Content-Encoding") != "gzip" || !strings.HasPrefix(res.header.Get("Content-Type"), "text/css") ||
		!strings.Contains(res.header.Get("Vary"), "Accept-Encoding") {
		t.Errorf("versioned css: %d %v", res.status, res.header)
	}
	if !bytes.Contains(gunzip(t, res.body), []byte(":root{")) {
		t.Error("the gzip body is not app.css")
	}
	// Plain: revalidated each time, 304 when unchanged; identity without gzip.
	plain := anon.getWith(t, "/static/app.css", nil)
	if plain.status != 200 || plain.header.Get("Cache-Control") != "no-cache" || plain.header.Get("Content-Encoding") != "" ||
		!bytes.HasPrefix(plain.body, []byte(":root{")) || plain.header.Get("ETag") == "" {
		t.Errorf("plain css: %d %v", plain.status, plain.header)
	}
	if again := anon.getWith(t, "/static/app.css", map[string]string{"If-None-Match": plain.header.Get("ETag")}); again.status != http.StatusNotModified || len(again.body) != 0 {
		t.Errorf("revalidation: %d", again.status)
	}
	// An old version's URL gets today's file, not for a year.
	if old := anon.getWith(t, "/static/v000000000000/app.css", nil); old.status != 200 || old.header.Get("Cache-Control") != "no-cache" {
		t.Errorf("old version: %d %v", old.status, old.header)
	}
	for _, p := range []string{"/static/nope.js", "/static/", "/static/v000000000000/", "/static/sw.js", "/static/../go.mod"} {
		if res := anon.get(p); res.status != http.StatusNotFound {
			t.Errorf("%s: %d", p, res.status)
		}
	}

	// The service worker, from the root, naming the versioned files.
	sw := anon.get("/sw.js")
	if sw.status != 200 || !strings.HasPrefix(sw.header.Get("Content-Type"), "text/javascript") ||
		sw.header.Get("Service-Worker-Allowed") != "/" || sw.header.Get("Cache-Control") != "no-cache" ||
		!bytes.Contains(sw.body, css[1]) || !bytes.Contains(sw.body, []byte(`const VERSION = "`)) {
		t.Errorf("sw.js: %d %v\n%.300s", sw.status, sw.header, sw.body)
	}

	// The manifest: installable, Dutch, its icons there and of their size.
	mf := anon.get("/manifest.webmanifest")
	if mf.status != 200 || mf.header.Get("Content-Type") != "application/manifest+json" {
		t.Fatalf("manifest: %d %v", mf.status, mf.header)
	}
	var manifest struct {
		Name       string `json:"name"`
		ShortName  string `json:"short_name"`
		StartURL   string `json:"start_url"`
		Display    string `json:"display"`
		Lang       string `json:"lang"`
		ThemeColor string `json:"theme_color"`
		Icons      []struct{ Src, Sizes, Type, Purpose string }
	}
	if err := json.Unmarshal(mf.body, &manifest); err != nil {
		t.Fatal(err)
	}
	if manifest.Name != "Buurtbrug" || manifest.ShortName == "" || manifest.StartURL != "/contacts/new" ||
		manifest.Display != "standalone" || manifest.Lang != "nl" || manifest.ThemeColor != "#0b5d55" {
		t.Errorf("manifest: %+v", manifest)
	}
	sizes := map[string]bool{}
	for _, icon := range manifest.Icons {
		res := anon.get(icon.Src)
		if res.status != 200 || res.header.Get("Content-Type") != icon.Type || !versionedRE.MatchString(icon.Src) {
			t.Errorf("icon %s: %d %s", icon.Src, res.status, res.header.Get("Content-Type"))
			continue
		}
		if icon.Type == "image/png" {
			img, err := png.Decode(bytes.NewReader(res.body))
			if err != nil {
				t.Fatalf("%s: %v", icon.Src, err)
			}
			b := img.Bounds()
			sizes[icon.Sizes] = icon.Sizes == fmt.Sprintf("%dx%d", b.Dx(), b.Dy())
		} else {
			sizes[icon.Sizes] = true
		}
	}
	if !sizes["192x192"] || !sizes["512x512"] || !sizes["any"] {
		t.Errorf("icons: %v", sizes)
	}

	// The offline form: the organisation's form in the worker's language,
	// with no session data, compressed; still not for the HTTP cache.
	shell := worker.getWith(t, "/contacts/new/shell", map[string]string{"Accept-Encoding": "gzip"})
	if shell.status != 200 || shell.header.Get("Content-Encoding") != "gzip" || shell.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("shell: %d %v", shell.status, shell.header)
	}
	body := gunzip(t, shell.body)
	token := metaCSRFRE.FindSubmatch(page.body)
	for _, leak := range [][]byte{[]byte("hoop.worker"), token[1]} {
		if bytes.Contains(body, leak) {
			t.Errorf("the offline form holds %q", leak)
		}
	}
	for _, want := range []string{`<meta name="csrf-token" content="">`, `data-shell="true"`, `value="hoop"`, `href="/contacts"`, `lang="nl"`} {
		if !bytes.Contains(body, []byte(want)) {
			t.Errorf("the offline form lacks %s", want)
		}
	}
	if res := anon.get("/contacts/new/shell"); res.status != http.StatusSeeOther {
		t.Errorf("shell without a session: %d", res.status)
	}
	// The contact page itself is compressed (it echoes no request input);
	// other pages with a CSRF token are not (BREACH).
	if res := worker.getWith(t, "/contacts/new", map[string]string{"Accept-Encoding": "gzip"}); res.header.Get("Content-Encoding") != "gzip" {
		t.Errorf("contact page not compressed: %v", res.header)
	}
	if res := worker.getWith(t, "/residents?q=x", map[string]string{"Accept-Encoding": "gzip"}); res.header.Get("Content-Encoding") != "" {
		t.Errorf("a page echoing its query is compressed: %v", res.header)
	}
}
