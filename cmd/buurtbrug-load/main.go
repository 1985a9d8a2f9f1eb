// Command buurtbrug-load measures how fast a running Buurtbrug server logs
// contacts: N concurrent logged-in clients post contacts for a fixed time.
//
//	buurtbrug-load [--url http://127.0.0.1:8080[,http://127.0.0.1:8081]] [--clients 32] [--duration 10s]
//	               [--users hoop.worker,dock.worker,...] [--password P] [--resend 0.1]
//
// (One file over 400 lines: a small command, set-up, load and report, read
// top to bottom.)
//
// Each login is made once through the API and shared by its clients (as a
// worker's tabs share a session); each client reads /api/v1/reference, registers
// one made-up resident and then creates contacts (anonymous or with that
// resident) as fast as it can. With several URLs (instances on one
// database) the clients take them in turn; with --resend a share of the
// contacts is sent again at once to the next instance, as a tablet whose
// answer got lost does, which must answer 200 with the stored contact. It
// prints the throughput, latency percentiles and errors by status, and
// exits non-zero when any request failed.
//
// The tool only ever talks to the --url servers (default the loopback
// address) and stops after --duration; run it against a demo database,
// never production.
// The password comes from BUURTBRUG_LOAD_PASSWORD (default the demo password).
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
)

// maxDuration bounds a run, so a typo cannot load a server for hours.
const maxDuration = 10 * time.Minute

type config struct {
	bases    []*url.URL
	clients  int
	resend   float64
	duration time.Duration
	users    []string
	password string
}

func main() {
	cfg, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "buurtbrug-load:", err)
		os.Exit(2)
	}
	res, err := run(cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "buurtbrug-load:", err)
		os.Exit(1)
	}
	res.print(os.Stdout, cfg)
	if res.errors() > 0 {
		os.Exit(1)
	}
}

func parseFlags(args []string) (config, error) {
	fs := flag.NewFlagSet("buurtbrug-load", flag.ContinueOnError)
	rawURL := fs.String("url", "http://127.0.0.1:8080",
		"base URLs of the server instances to load, comma-separated (only these are contacted)")
	resend := fs.Float64("resend", 0, "share of the contacts sent again to the next instance (0 to 1)")
	clients := fs.Int("clients", 32, "concurrent logged-in clients")
	duration := fs.Duration("duration", 10*time.Second, "how long to create contacts (at most 10m)")
	users := fs.String("users", "hoop.worker,dock.worker,bhb.worker,bv.worker,buurtteam.worker",
		"comma-separated logins; clients take them in turn")
	password := fs.String("password", envOr("BUURTBRUG_LOAD_PASSWORD", "overvecht-demo"),
		"password of the logins (BUURTBRUG_LOAD_PASSWORD)")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	var bases []*url.URL
	for _, raw := range strings.Split(*rawURL, ",") {
		base, err := url.Parse(strings.TrimRight(strings.TrimSpace(raw), "/"))
		if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
			return config{}, fmt.Errorf("--url must be http(s) URLs with a host, got %q", raw)
		}
		bases = append(bases, base)
	}
	if *resend < 0 || *resend > 1 {
		return config{}, errors.New("--resend must be between 0 and 1")
	}
	if *clients < 1 || *clients > 1024 {
		return config{}, errors.New("--clients must be between 1 and 1024")
	}
	if *duration <= 0 || *duration > maxDuration {
		return config{}, fmt.Errorf("--duration must be positive and at most %s", maxDuration)
	}
	var list []string
	for _, u := range strings.Split(*users, ",") {
		if u = strings.TrimSpace(u); u != "" {
			list = append(list, u)
		}
	}
	if len(list) == 0 {
		return config{}, errors.New("--users is empty")
	}
	return config{bases: bases, clients: *clients, resend: *resend, duration: *duration, users: list,
		password: *password}, nil
}

func envOr(key, fallback string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return fallback
}

// result gathers what all clients measured.
type result struct {
	elapsed   time.Duration
	created   int
	resent    int
	latencies []time.Duration
	byStatus  map[string]int // errors: HTTP status or "transport"
	firstErr  map[string]string
}

func (r *result) errors() int {
	n := 0
	for _, c := range r.byStatus {
		n += c
	}
	return n
}

func (r *result) print(w io.Writer, cfg config) {
	slices.Sort(r.latencies)
	pct := func(p float64) time.Duration {
		if len(r.latencies) == 0 {
			return 0
		}
		i := int(float64(len(r.latencies))*p+0.5) - 1
		return r.latencies[max(0, min(i, len(r.latencies)-1))]
	}
	ms := func(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }
	targets := make([]string, len(cfg.bases))
	for i, b := range cfg.bases {
		targets[i] = b.String()
	}
	fmt.Fprintf(w, "target      %s, %d clients, %s\n", strings.Join(targets, " + "), cfg.clients, cfg.duration)
	fmt.Fprintf(w, "created     %d contacts in %.2fs (%d sent again, answered as retries)\n", r.created,
		r.elapsed.Seconds(), r.resent)
	fmt.Fprintf(w, "throughput  %.0f contacts/s\n", float64(r.created)/r.elapsed.Seconds())
	fmt.Fprintf(w, "latency     p50 %s  p90 %s  p99 %s  max %s\n", ms(pct(0.50)), ms(pct(0.90)), ms(pct(0.99)), ms(pct(1)))
	fmt.Fprintf(w, "errors      %d\n", r.errors())
	keys := make([]string, 0, len(r.byStatus))
	for k := range r.byStatus {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(w, "  %-10s %d  (first: %s)\n", k, r.byStatus[k], r.firstErr[k])
	}
}

// reference is the part of GET /api/v1/reference a client needs.
type reference struct {
	Programmes     []struct{ Slug string } `json:"programmes"`
	Neighbourhoods []struct{ Slug string } `json:"neighbourhoods"`
	Topics         []struct{ Slug string } `json:"topics"`
	Outcomes       []struct{ Slug string } `json:"outcomes"`
	Kinds          []struct{ Slug string } `json:"kinds"`
}

// client is one logged-in user agent.
type client struct {
	cfg        config
	base, next *url.URL // its instance, and the one it sends again to
	http       *http.Client
	cookies    []*http.Cookie
	csrf       string
	ref        reference
	residentID string
	rng        *rand.Rand

	created   int
	resent    int
	latencies []time.Duration
	byStatus  map[string]int
	firstErr  map[string]string
}

func run(cfg config) (*result, error) {
	transport := &http.Transport{
		MaxIdleConns: cfg.clients, MaxIdleConnsPerHost: cfg.clients,
		IdleConnTimeout: 30 * time.Second, ResponseHeaderTimeout: 30 * time.Second,
	}
	defer transport.CloseIdleConnections()
	httpClient := &http.Client{Transport: transport, Timeout: 30 * time.Second,
		// Only ever the given server: never follow a redirect elsewhere.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	// Set-up before the clock starts: each login once, one after another,
	// stopping at the first failure (a wrong password must not cost the
	// address its login attempts: the server throttles after five, and
	// counts parallel attempts of one login before checking them); the
	// clients of a login share its session, as a worker's tabs do. Then
	// every client registers its resident, concurrently.
	clients := make([]*client, cfg.clients)
	for i := range clients {
		clients[i] = &client{cfg: cfg, base: cfg.bases[i%len(cfg.bases)], next: cfg.bases[(i+1)%len(cfg.bases)],
			http: httpClient, rng: rand.New(rand.NewPCG(uint64(i), uint64(time.Now().UnixNano()))),
			byStatus: map[string]int{}, firstErr: map[string]string{}}
	}
	for i := range min(len(cfg.users), cfg.clients) {
		if err := clients[i].login(cfg.users[i]); err != nil {
			return nil, fmt.Errorf("setting up clients: %w", err)
		}
	}
	setupErrs := make([]error, cfg.clients)
	var wg sync.WaitGroup
	for i, c := range clients {
		first := clients[i%len(cfg.users)]
		c.csrf, c.cookies = first.csrf, first.cookies
		wg.Add(1)
		go func() {
			defer wg.Done()
			setupErrs[i] = c.setUp(cfg.users[i%len(cfg.users)])
		}()
	}
	wg.Wait()
	if err := errors.Join(setupErrs...); err != nil {
		return nil, fmt.Errorf("setting up clients: %w", err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), cfg.duration)
	defer cancel()
	start := time.Now()
	for _, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.load(ctx)
		}()
	}
	wg.Wait()
	res := &result{elapsed: time.Since(start), byStatus: map[string]int{}, firstErr: map[string]string{}}
	for _, c := range clients {
		res.created += c.created
		res.resent += c.resent
		res.latencies = append(res.latencies, c.latencies...)
		for k, n := range c.byStatus {
			res.byStatus[k] += n
			if _, ok := res.firstErr[k]; !ok {
				res.firstErr[k] = c.firstErr[k]
			}
		}
	}
	return res, nil
}

// do sends one request to the client's instance and returns the status and
// body.
func (c *client) do(ctx context.Context, method, path string, body any) (int, []byte, *http.Response, error) {
	return c.doAt(ctx, c.base, method, path, body)
}

func (c *client) doAt(ctx context.Context, base *url.URL, method, path string, body any) (int, []byte, *http.Response, error) {
	var reader io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return 0, nil, nil, err
		}
		reader = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, base.String()+path, reader)
	if err != nil {
		return 0, nil, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.csrf != "" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	for _, ck := range c.cookies {
		req.AddCookie(ck)
	}
	res, err := c.http.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	return res.StatusCode, data, res, err
}

// login starts the session of username.
func (c *client) login(username string) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	status, body, res, err := c.do(ctx, "POST", "/api/v1/login", map[string]string{"username": username, "password": c.cfg.password})
	if err != nil {
		return fmt.Errorf("login %s: %w", username, err)
	}
	if status != http.StatusOK {
		return fmt.Errorf("login %s: status %d: %s", username, status, truncate(body))
	}
	var login struct {
		CSRFToken string `json:"csrf_token"`
	}
	if err := json.Unmarshal(body, &login); err != nil || login.CSRFToken == "" {
		return fmt.Errorf("login %s: no csrf_token in %s", username, truncate(body))
	}
	c.csrf, c.cookies = login.CSRFToken, res.Cookies()
	return nil
}

// setUp reads the reference data and registers the client's resident, in
// the session of username.
func (c *client) setUp(username string) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	status, body, _, err := c.do(ctx, "GET", "/api/v1/reference", nil)
	if err != nil || status != http.StatusOK {
		return fmt.Errorf("reference for %s: status %d %v: %s", username, status, err, truncate(body))
	}
	if err := json.Unmarshal(body, &c.ref); err != nil {
		return fmt.Errorf("reference for %s: %w", username, err)
	}
	if len(c.ref.Programmes) == 0 || len(c.ref.Neighbourhoods) == 0 || len(c.ref.Topics) == 0 || len(c.ref.Kinds) == 0 {
		return fmt.Errorf("reference for %s: no programme, neighbourhood, topic or kind to log a contact with", username)
	}

	resident := map[string]any{
		"given_name": "Load", "family_name": "Test " + uuid.NewString()[:8],
		"neighbourhood": c.pick(c.ref.Neighbourhoods), "note": "made up by buurtbrug-load",
	}
	status, body, _, err = c.do(ctx, "POST", "/api/v1/residents", resident)
	if err != nil || status != http.StatusCreated {
		return fmt.Errorf("resident for %s: status %d %v: %s", username, status, err, truncate(body))
	}
	var r struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(body, &r); err != nil || r.ID == "" {
		return fmt.Errorf("resident for %s: no id in %s", username, truncate(body))
	}
	c.residentID = r.ID
	return nil
}

func (c *client) pick(list []struct{ Slug string }) string {
	return list[c.rng.IntN(len(list))].Slug
}

// pickSome returns n distinct slugs (fewer when the list is shorter).
func (c *client) pickSome(list []struct{ Slug string }, n int) []string {
	out := []string{}
	for _, i := range c.rng.Perm(len(list))[:min(n, len(list))] {
		out = append(out, list[i].Slug)
	}
	return out
}

// contactPayload is the body of POST /api/v1/contacts.
type contactPayload struct {
	ID            string   `json:"id"`
	Programme     string   `json:"programme"`
	OccurredAt    string   `json:"occurred_at,omitempty"`
	Neighbourhood string   `json:"neighbourhood"`
	Kind          string   `json:"kind"`
	ResidentID    string   `json:"resident_id,omitempty"`
	Anonymous     bool     `json:"anonymous,omitempty"`
	Topics        []string `json:"topics"`
	Outcomes      []string `json:"outcomes"`
	Note          string   `json:"note,omitempty"`
}

// payload is a random valid contact: anonymous or about the client's
// resident, now or sometime in the past week, with 1-3 topics, 0-2 outcomes
// and sometimes a note.
func (c *client) payload() contactPayload {
	p := contactPayload{
		ID:            uuid.NewString(),
		Programme:     c.ref.Programmes[0].Slug,
		Neighbourhood: c.pick(c.ref.Neighbourhoods),
		Kind:          c.pick(c.ref.Kinds),
		Topics:        c.pickSome(c.ref.Topics, 1+c.rng.IntN(3)),
		Outcomes:      c.pickSome(c.ref.Outcomes, c.rng.IntN(3)),
	}
	if c.rng.IntN(2) == 0 {
		p.Anonymous = true
	} else {
		p.ResidentID = c.residentID
	}
	if c.rng.IntN(2) == 0 {
		// Well inside the allowed window.
		p.OccurredAt = time.Now().Add(-time.Duration(c.rng.Int64N(int64(7 * 24 * time.Hour)))).UTC().Format(time.RFC3339)
	}
	if c.rng.IntN(3) == 0 {
		p.Note = "Gesprek bij de deur; komt volgende week langs bij het spreekuur."
	}
	return p
}

// load creates contacts until ctx ends.
func (c *client) load(ctx context.Context) {
	for ctx.Err() == nil {
		start := time.Now()
		p := c.payload()
		status, body, _, err := c.do(ctx, "POST", "/api/v1/contacts", p)
		took := time.Since(start)
		switch {
		case err != nil && ctx.Err() != nil:
			return // the run ended mid-request: not an error of the server
		case err != nil:
			c.fail("transport", err.Error())
			time.Sleep(10 * time.Millisecond) // the server may be gone: do not spin
		case status != http.StatusCreated:
			c.fail(fmt.Sprint(status), truncate(body))
		default:
			c.created++
			c.latencies = append(c.latencies, took)
			if c.rng.Float64() < c.cfg.resend {
				c.sendAgain(ctx, p)
			}
		}
	}
}

// sendAgain posts a created contact once more, to the next instance: the
// answer must be 200 with the same contact, never a second one.
func (c *client) sendAgain(ctx context.Context, p contactPayload) {
	status, body, _, err := c.doAt(ctx, c.next, "POST", "/api/v1/contacts", p)
	var got struct {
		ID string `json:"id"`
	}
	switch {
	case err != nil && ctx.Err() != nil:
	case err != nil:
		c.fail("resend transport", err.Error())
	case status != http.StatusOK || json.Unmarshal(body, &got) != nil || got.ID != p.ID:
		c.fail(fmt.Sprint("resend ", status), truncate(body))
	default:
		c.resent++
	}
}

func (c *client) fail(key, detail string) {
	c.byStatus[key]++
	if _, ok := c.firstErr[key]; !ok {
		c.firstErr[key] = detail
	}
}

func truncate(b []byte) string {
	if len(b) > 200 {
		return string(b[:200]) + "…"
	}
	return string(b)
}
