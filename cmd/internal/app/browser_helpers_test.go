package app

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/buurtbrug/buurtbrug/cmd/internal/demo"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Helpers of the browser tests: headless chromium driven by chromedp
// against the real server (newTestEnv) on 127.0.0.1.

// brChromium is Debian's chromium, or BUURTBRUG_CHROMIUM.
func brChromium() string {
	for _, p := range []string{os.Getenv("BUURTBRUG_CHROMIUM"), "/usr/bin/chromium"} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// browserTest is the first call of every browser test. `go test -short`
// skips them: they take most of this package's time.
//
// They do not call t.Parallel (but TestBrowserFirstLoadBudget): chromium
// is CPU-bound, and on a two-core machine several at once finish no sooner
// than one after another (measured: the browser tests take as long with
// -parallel 1, 3 or 9), but each waits longer for its pages, which makes
// the timed waits flaky (TestBrowserLanguageOffline failed so). Serial,
// they take their turn before the parallel tests start.
func browserTest(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test: skipped with -short")
	}
}

// brStart starts headless chromium at the given window size, with a fresh
// profile. Without a browser the test skips, except in CI (CI=true), where it
// fails. What the page logs as an error, and its uncaught exceptions, are
// shown when the test fails (all console output with BUURTBRUG_BROWSER_LOG=1).
func brStart(t *testing.T, width, height int) context.Context {
	t.Helper()
	bin := brChromium()
	if bin == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium not found at /usr/bin/chromium (CI=true): install it with apt-get install -y chromium")
		}
		t.Skip("skipping the browser test: chromium not found at /usr/bin/chromium (install with apt-get install -y chromium, or set BUURTBRUG_CHROMIUM)")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(width, height),
		chromedp.Flag("disable-component-update", true))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// The first action starts the browser; it must not run under a timeout.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(width), int64(height))); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	brConsole(t, ctx)
	return ctx
}

// brConsole collects the page's console errors and exceptions, and shows
// them when the test fails.
func brConsole(t *testing.T, ctx context.Context) {
	var mu sync.Mutex
	var lines []string
	all := os.Getenv("BUURTBRUG_BROWSER_LOG") != ""
	err := chromedp.Listen(ctx, func(ev any) {
		var line string
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if !all && ev.Type != runtime.ConsoleAPICalledTypeError && ev.Type != runtime.ConsoleAPICalledTypeWarning {
				return
			}
			var parts []string
			for _, a := range ev.Args {
				if a.Value != nil {
					parts = append(parts, string(a.Value))
				} else {
					parts = append(parts, a.Description)
				}
			}
			line = fmt.Sprintf("console.%s: %s", ev.Type, strings.Join(parts, " "))
		case *runtime.EventExceptionThrown:
			d := ev.ExceptionDetails
			line = fmt.Sprintf("exception: %s %s (%s:%d)", d.Text, exceptionDescription(d), d.URL, d.LineNumber)
		default:
			return
		}
		mu.Lock()
		lines = append(lines, line)
		mu.Unlock()
	})
	if err != nil {
		t.Fatalf("listening to the console: %v", err)
	}
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		if t.Failed() || all {
			for _, l := range lines {
				t.Log("browser " + l)
			}
		}
	})
}

func exceptionDescription(d *runtime.ExceptionDetails) string {
	if d.Exception != nil {
		return d.Exception.Description
	}
	return ""
}

// brStep runs browser actions with a time limit.
func brStep(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := chromedp.Do(sctx, actions...); err != nil {
		t.Fatalf("%s: %v\n%s", what, err, brDiagnose(ctx))
	}
}

// brDiagnose describes the page, for a failed step.
func brDiagnose(ctx context.Context) string {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + '\n' + document.body.innerText.slice(0, 3000)`))
	if err != nil {
		return "(no page: " + err.Error() + ")"
	}
	return "the page at that moment: " + s
}

func brText(t *testing.T, ctx context.Context, id string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.TextContent(chromedp.ID(id)))
	if err != nil {
		t.Fatalf("text of #%s: %v", id, err)
	}
	return s
}

// brEval evaluates a JavaScript expression (awaiting a promise) and decodes
// its value.
func brEval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

// brWait waits until a JavaScript expression is true.
func brWait(t *testing.T, ctx context.Context, what, expr string, timeout time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, timeout+5*time.Second)
	defer cancel()
	poll := func() error {
		_, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](expr,
			chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(timeout)))
		return err
	}
	err := poll()
	// Right after a navigation the page's old script context may still be
	// the one chromedp knows; it is gone by the next try.
	for try := 0; try < 3 && err != nil && strings.Contains(err.Error(), "Cannot find context with specified id"); try++ {
		time.Sleep(200 * time.Millisecond)
		err = poll()
	}
	if err != nil {
		t.Fatalf("waiting for %s (%s): %v", what, expr, err)
	}
}

// brShot saves a PNG of the whole page into BUURTBRUG_SCREENSHOTS (if set).
func brShot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("BUURTBRUG_SCREENSHOTS")
	if dir == "" {
		return
	}
	buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), buf, 0o644); err != nil {
		t.Fatal(err)
	}
}

// brChip taps the chip of one option.
func brChip(name, value string) chromedp.Action[chromedp.Void] {
	return chromedp.Click(chromedp.CSS(`input[name="` + name + `"][value="` + value + `"] + span`))
}

// brLogin logs a demo user in through the login form, in Dutch, and waits
// for the contact form (a worker's start page).
func brLogin(t *testing.T, ctx context.Context, env *testEnv, username string) {
	t.Helper()
	brStep(t, ctx, "login "+username,
		chromedp.Navigate(env.srv.URL+"/lang/nl?back=/login"),
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), username),
		chromedp.SendKeys(chromedp.ID("password"), demo.Password),
		chromedp.Click(chromedp.CSS(`button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("logout-form")),
	)
	// Someone with something waiting lands on "Voor jou"; the tests start
	// on the contact form.
	if brEval[string](t, ctx, `location.pathname`) != "/contacts/new" {
		brStep(t, ctx, "to the contact form", chromedp.Navigate(env.srv.URL+"/contacts/new"),
			chromedp.WaitVisible(chromedp.ID("contact-form")))
	} else {
		brStep(t, ctx, "the contact form", chromedp.WaitVisible(chromedp.ID("contact-form")))
	}
}

// brNetwork switches the browser's network off or on, as DevTools' Offline
// switch does: navigator.onLine follows (Network.overrideNetworkState) and
// the online/offline events fire.
func brNetwork(t *testing.T, ctx context.Context, online bool) {
	t.Helper()
	rule := network.EmulateNetworkConditionsByRuleParams{MatchedNetworkConditions: []*network.Conditions{}}
	if !online {
		off := true
		rule.EmulateOfflineServiceWorker = &off
		rule.MatchedNetworkConditions = []*network.Conditions{{Offline: true, DownloadThroughput: -1, UploadThroughput: -1}}
	}
	brEmulate(t, ctx, rule, &network.OverrideNetworkStateParams{Offline: !online, DownloadThroughput: -1, UploadThroughput: -1})
}

// brThrottle emulates a slow network (latency in ms, throughput in bytes
// per second each way).
func brThrottle(t *testing.T, ctx context.Context, latency, throughput float64) {
	t.Helper()
	brEmulate(t, ctx, network.EmulateNetworkConditionsByRuleParams{
		MatchedNetworkConditions: []*network.Conditions{{Latency: latency, DownloadThroughput: throughput,
			UploadThroughput: throughput, ConnectionType: network.ConnectionTypeCellular3g}}}, nil)
}

// brEmulate applies network conditions (Network.emulateNetworkConditionsByRule)
// to the page and to each service worker, which is a target of its own:
// the page's conditions do not cover the worker's fetches.
func brEmulate(t *testing.T, ctx context.Context, rule network.EmulateNetworkConditionsByRuleParams, state *network.OverrideNetworkStateParams) {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	emulate := chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := cdp.Call(ctx, tg, network.Enable, network.EnableParams{}); err != nil {
			return err
		}
		if _, err := cdp.Call(ctx, tg, network.EmulateNetworkConditionsByRule, rule); err != nil {
			return err
		}
		if state == nil {
			return nil
		}
		_, err := cdp.Call(ctx, tg, network.OverrideNetworkState, *state)
		return err
	})
	if err := chromedp.Do(tctx, emulate); err != nil {
		t.Fatalf("network conditions: %v", err)
	}
	targets, err := chromedp.Targets(tctx)
	if err != nil {
		t.Fatalf("targets: %v", err)
	}
	for _, info := range targets {
		if info.Type != "service_worker" {
			continue
		}
		// One session per worker: conditions belong to the session that
		// set them, so a second one could not lift the first's. Attached
		// for the rest of the browser's life: cancelling would close the
		// worker.
		wctx, ok := workerSessions.Load(info.TargetID)
		if !ok {
			wctx, _ = chromedp.NewContext(ctx, chromedp.WithTargetID(info.TargetID))
			workerSessions.Store(info.TargetID, wctx)
		}
		if err := chromedp.Do(wctx.(context.Context), emulate); err != nil {
			t.Fatalf("service worker network conditions: %v", err)
		}
	}
}

// workerSessions are the chromedp contexts attached to service workers, by
// target ID (unique across browsers).
var workerSessions sync.Map

// testNet sits between the browser and the app: it can play a dead network
// for the browser (every request's connection is closed unanswered) and cut
// the connection
// of chosen requests after the server has done the work (the answer is
// lost), and it counts what it sends.
type testNet struct {
	next http.Handler

	mu      sync.Mutex
	down    bool
	refused []string       // requests that reached the server while down
	cut     map[string]int // "POST /api/v1/contacts" → how many more to cut
	hits    map[string]int // every request, by "METHOD path"
	bytes   map[string]int // response body bytes by "METHOD path", when counting
}

// withTestNet puts a testNet in front of the app: env.srv is replaced.
func withTestNet(env *testEnv) *testNet {
	n := &testNet{next: env.app.Handler, cut: map[string]int{}, hits: map[string]int{}}
	env.srv.Close()
	env.srv = httptest.NewServer(n)
	return n
}

func (n *testNet) setDown(down bool) {
	n.mu.Lock()
	n.down = down
	n.mu.Unlock()
}

// cutAfter makes the next count requests "METHOD path" lose their answers
// (a negative count takes cuts back).
func (n *testNet) cutAfter(request string, count int) {
	n.mu.Lock()
	n.cut[request] = max(0, n.cut[request]+count)
	n.mu.Unlock()
}

func (n *testNet) count() {
	n.mu.Lock()
	n.bytes = map[string]int{}
	n.mu.Unlock()
}

func (n *testNet) hitsOf(request string) int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.hits[request]
}

func (n *testNet) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	key := r.Method + " " + r.URL.Path
	n.mu.Lock()
	// Only the browser loses its network: the test's own API client
	// (Go's User-Agent) still reaches the server.
	down := n.down && strings.Contains(r.UserAgent(), "Mozilla")
	n.hits[key]++
	cut := n.cut[key] > 0
	if down {
		n.refused = append(n.refused, key)
	} else if cut {
		n.cut[key]--
	}
	n.mu.Unlock()
	switch {
	case down:
		hangUp(w)
	case cut:
		// The server does the work and commits; the browser never hears.
		n.next.ServeHTTP(httptest.NewRecorder(), r)
		hangUp(w)
	default:
		cw := &countingWriter{ResponseWriter: w}
		n.next.ServeHTTP(cw, r)
		n.mu.Lock()
		if n.bytes != nil {
			n.bytes[key] += cw.n
		}
		n.mu.Unlock()
	}
}

// hangUp closes the connection without an answer.
func hangUp(w http.ResponseWriter) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		panic(err)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0) // a reset, as a dropped mobile link looks
	}
	conn.Close()
}

type countingWriter struct {
	http.ResponseWriter
	n int
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.ResponseWriter.Write(p)
	c.n += n
	return n, err
}

func (c *countingWriter) Flush() {
	if f, ok := c.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
