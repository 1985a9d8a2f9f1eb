package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"database/sql"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "modernc.org/sqlite"
)

// These tests run the built binary as an operator would: start failures,
// the command line, file modes, the secret check, backups.

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "buurtbrug-bin")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "buurtbrug")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building the binary: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// result is how a finished command ended.
type result struct {
	code           int
	stdout, stderr string
}

// buurtbrug runs the binary to its end in dir, with extra environment.
func buurtbrug(t *testing.T, dir string, env []string, stdin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if exit, ok := err.(*exec.ExitError); ok {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatalf("running %v: %v", args, err)
	}
	return result{code, out.String(), errb.String()}
}

// server is a running binary.
type server struct {
	cmd    *exec.Cmd
	url    string
	stderr *syncBuffer
	client *http.Client
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// start runs the server in dir until the test ends, and waits until it
// says where it runs.
func start(t *testing.T, dir string, env []string, args ...string) *server {
	t.Helper()
	addr := freeAddr(t)
	cmd := exec.Command(binary, append([]string{"--addr", addr}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, stderr: &syncBuffer{}}
	cmd.Stderr = s.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.stop(t) })
	lines := bufio.NewScanner(stdout)
	deadline := time.After(60 * time.Second)
	found := make(chan string, 1)
	go func() {
		for lines.Scan() {
			if rest, ok := strings.CutPrefix(lines.Text(), "Buurtbrug is running at "); ok {
				found <- strings.Fields(rest)[0]
			}
		}
	}()
	select {
	case u := <-found:
		s.url = strings.TrimSuffix(u, "/")
	case <-deadline:
		t.Fatalf("the server did not start: %s", s.stderr)
	}
	jar, _ := cookiejar.New(nil)
	s.client = &http.Client{Jar: jar, Timeout: 30 * time.Second}
	return s
}

func (s *server) stop(t *testing.T) {
	if s.cmd.ProcessState != nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		_ = s.cmd.Process.Kill()
		<-done
		t.Errorf("the server did not stop on SIGTERM")
	}
}

// do sends a JSON request and decodes a JSON answer into out (if not nil).
func (s *server) do(t *testing.T, method, path, csrf string, body, out any) int {
	t.Helper()
	var r io.Reader
	if body != nil {
		data, _ := json.Marshal(body)
		r = bytes.NewReader(data)
	}
	req, _ := http.NewRequest(method, s.url+path, r)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if csrf != "" {
		req.Header.Set("X-CSRF-Token", csrf)
	}
	res, err := s.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: %d %s", method, path, res.StatusCode, data)
		}
	}
	return res.StatusCode
}

// login logs a user in and returns the CSRF token.
func (s *server) login(t *testing.T, username, password string) string {
	t.Helper()
	var out struct {
		CSRF string `json:"csrf_token"`
	}
	if st := s.do(t, "POST", "/api/v1/login", "", map[string]string{"username": username, "password": password}, &out); st != http.StatusOK {
		t.Fatalf("login %s: %d", username, st)
	}
	return out.CSRF
}

// entries lists the names in dir.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	list, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range list {
		out = append(out, e.Name())
	}
	return out
}

func TestCommandLine(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{{"help"}, {"--help"}} {
		r := buurtbrug(t, dir, nil, "", args...)
		if r.code != 0 || !strings.Contains(r.stdout, "backup") || !strings.Contains(r.stdout, "user add|password") {
			t.Errorf("%v: %d %q %q", args, r.code, r.stdout, r.stderr)
		}
		if hasOptions := strings.Contains(r.stdout, "-session-idle") && strings.Contains(r.stdout, "-tls-cert"); hasOptions != (args[0] == "--help") {
			t.Errorf("%v: the server's options listed %v", args, hasOptions)
		}
	}
	for _, args := range [][]string{{"serve"}, {"usr", "add"}, {"--db", "x.db", "extra"}, {"--nope"}, {"help", "me"},
		{"user"}, {"user", "add", "--username", "a", "stray"}, {"backup"}, {"--tls-cert", "c.pem"}} {
		r := buurtbrug(t, dir, nil, "", args...)
		if r.code != 2 || !strings.Contains(r.stderr, "buurtbrug:") {
			t.Errorf("%v: exit %d, want 2 (%q)", args, r.code, r.stderr)
		}
	}
	if left := entries(t, dir); len(left) != 0 {
		t.Errorf("a usage error left files: %v", left)
	}
}

func TestStartFailures(t *testing.T) {
	t.Run("missing folder", func(t *testing.T) {
		dir := t.TempDir()
		r := buurtbrug(t, dir, nil, "", "--addr", freeAddr(t), "--db", filepath.Join(dir, "nergens", "b.db"))
		if r.code != 1 || !strings.Contains(r.stderr, "bestaat niet") {
			t.Errorf("exit %d: %s", r.code, r.stderr)
		}
		if left := entries(t, dir); len(left) != 0 {
			t.Errorf("left files: %v", left)
		}
	})
	t.Run("port in use", func(t *testing.T) {
		dir := t.TempDir()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		r := buurtbrug(t, dir, nil, "", "--addr", ln.Addr().String(), "--db", "b.db")
		if r.code != 1 || !strings.Contains(r.stderr, "al in gebruik") {
			t.Errorf("exit %d: %s", r.code, r.stderr)
		}
		if left := entries(t, dir); len(left) != 0 {
			t.Errorf("left files: %v", left)
		}
	})
	t.Run("read-only database", func(t *testing.T) {
		dir := t.TempDir()
		s := start(t, dir, nil, "--db", "b.db", "--quiet")
		s.stop(t)
		before := entries(t, dir)
		readOnly(t, filepath.Join(dir, "b.db"))
		r := buurtbrug(t, dir, nil, "", "--addr", freeAddr(t), "--db", "b.db")
		if r.code != 1 || !strings.Contains(r.stderr, "kan niet worden beschreven") {
			t.Errorf("exit %d: %s", r.code, r.stderr)
		}
		if after := entries(t, dir); strings.Join(after, ",") != strings.Join(before, ",") {
			t.Errorf("files before %v, after %v", before, after)
		}
	})
}

// readOnly makes a file unwritable even for root (immutable), or skips.
func readOnly(t *testing.T, path string) {
	t.Helper()
	if err := os.Chmod(path, 0o400); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		if out, err := exec.Command("chattr", "+i", path).CombinedOutput(); err != nil {
			t.Skipf("root ignores file modes and chattr +i fails here: %v %s", err, out)
		}
		t.Cleanup(func() { _ = exec.Command("chattr", "-i", path).Run() })
	}
	if f, err := os.OpenFile(path, os.O_WRONLY, 0); err == nil {
		f.Close()
		t.Skip("cannot make a file read-only here")
	}
}

func TestFilesAndSecret(t *testing.T) {
	dir := t.TempDir()
	s := start(t, dir, nil, "--db", "b.db", "--demo", "--quiet")
	csrf := s.login(t, "hoop.worker", "overvecht-demo")
	if st := s.do(t, "GET", "/api/v1/residents?q=de", csrf, nil, nil); st != http.StatusOK {
		t.Fatalf("search: %d", st)
	}
	for _, name := range []string{"b.db", "b.db-wal", "b.db-shm", "b.db.secret"} {
		info, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if mode := info.Mode().Perm(); mode != 0o600 {
			t.Errorf("%s has mode %o, want 600", name, mode)
		}
	}
	s.stop(t)

	// Without its secret the database does not start, and no new secret
	// is made.
	secret := filepath.Join(dir, "b.db.secret")
	if err := os.Rename(secret, secret+".kept"); err != nil {
		t.Fatal(err)
	}
	r := buurtbrug(t, dir, nil, "", "--addr", freeAddr(t), "--db", "b.db")
	if r.code != 1 || !strings.Contains(r.stderr, "het geheim ontbreekt") {
		t.Errorf("without the secret: exit %d: %s", r.code, r.stderr)
	}
	if _, err := os.Stat(secret); err == nil {
		t.Error("a new secret was made for a database written with another")
	}
	// With another secret neither.
	r = buurtbrug(t, dir, []string{"BUURTBRUG_SECRET=een-ander-geheim-0123456789abcdef0123456789"}, "",
		"--addr", freeAddr(t), "--db", "b.db")
	if r.code != 1 || !strings.Contains(r.stderr, "past niet") {
		t.Errorf("another secret: exit %d: %s", r.code, r.stderr)
	}
	if err := os.Rename(secret+".kept", secret); err != nil {
		t.Fatal(err)
	}

	// The demo is refused on a database with accounts of its own.
	r = buurtbrug(t, dir, []string{"BUURTBRUG_PASSWORD=een-eigen-lang-wachtwoord"}, "",
		"user", "add", "--db", "b.db", "--username", "echte.beheerder", "--org", "gemeente", "--roles", "admin")
	if r.code != 0 {
		t.Fatalf("user add: %d %s", r.code, r.stderr)
	}
	r = buurtbrug(t, dir, nil, "", "--addr", freeAddr(t), "--db", "b.db", "--demo")
	if r.code != 1 || !strings.Contains(r.stderr, "--demo weigert") {
		t.Errorf("--demo on a real database: exit %d: %s", r.code, r.stderr)
	}
}

func TestUserCommands(t *testing.T) {
	dir := t.TempDir()
	s := start(t, dir, nil, "--db", "b.db", "--quiet")
	add := func(password string, args ...string) result {
		return buurtbrug(t, dir, []string{"BUURTBRUG_PASSWORD=" + password}, "",
			append([]string{"user", "add", "--db", "b.db"}, args...)...)
	}
	// Errors are sentences.
	r := add("kort", "--username", "nieuw.team", "--org", "gemeente", "--roles", "programme")
	if r.code != 1 || !strings.Contains(r.stderr, "moet minstens 12 tekens hebben") {
		t.Errorf("short password: %d %s", r.code, r.stderr)
	}
	r = add("een-lang-wachtwoord", "--username", "beide", "--org", "gemeente", "--roles", "admin,worker")
	if r.code != 1 || !strings.Contains(r.stderr, "kan niet ook beheerder") {
		t.Errorf("admin and worker: %d %s", r.code, r.stderr)
	}
	// An account made while the server runs works at once.
	r = add("een-lang-wachtwoord", "--username", "nieuw.team", "--org", "gemeente", "--roles", "programme")
	if r.code != 0 {
		t.Fatalf("user add: %d %s", r.code, r.stderr)
	}
	csrf := s.login(t, "nieuw.team", "een-lang-wachtwoord")
	if st := s.do(t, "POST", "/api/v1/me/password", csrf, map[string]string{"current": "een-lang-wachtwoord",
		"new": "mijn-eigen-wachtwoord"}, nil); st != http.StatusNoContent {
		t.Fatalf("change password: %d", st)
	}
	if st := s.do(t, "GET", "/api/v1/reach/published", csrf, nil, nil); st != http.StatusOK {
		t.Errorf("a programme account made by the CLI on a running server: %d", st)
	}
	// A password set by the CLI ends the sessions at once and must be
	// changed again.
	r = buurtbrug(t, dir, []string{"BUURTBRUG_PASSWORD=nog-een-lang-wachtwoord"}, "",
		"user", "password", "--db", "b.db", "--username", "nieuw.team")
	if r.code != 0 {
		t.Fatalf("user password: %d %s", r.code, r.stderr)
	}
	if st := s.do(t, "GET", "/api/v1/reach/published", csrf, nil, nil); st != http.StatusUnauthorized {
		t.Errorf("session after a CLI reset: %d", st)
	}
}

func TestBackupRestore(t *testing.T) {
	dir := t.TempDir()
	s := start(t, dir, nil, "--db", "b.db", "--demo", "--quiet")
	csrf := s.login(t, "dock.worker", "overvecht-demo")
	// Write while the backup is taken.
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ctx.Err() == nil; i++ {
			s.do(t, "POST", "/api/v1/contacts", csrf, map[string]any{"id": fmt.Sprintf("00000000-0000-4000-8000-%012d", i),
				"programme": "weggeefbus", "neighbourhood": "zambesibuurt", "kind": "straat-bus", "anonymous": true,
				"topics": []string{"rondkomen"}}, nil)
		}
	}()
	time.Sleep(300 * time.Millisecond)
	r := buurtbrug(t, dir, nil, "", "backup", "--db", "b.db", "--to", "back.db")
	cancel()
	wg.Wait()
	if r.code != 0 || !strings.Contains(r.stderr, "APART") {
		t.Fatalf("backup: %d %s %s", r.code, r.stdout, r.stderr)
	}
	for _, name := range []string{"back.db", "back.db.secret"} {
		if info, err := os.Stat(filepath.Join(dir, name)); err != nil || info.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v %v", name, info, err)
		}
	}
	s.stop(t)

	restored := filepath.Join(t.TempDir(), "terug.db")
	r = buurtbrug(t, dir, nil, "", "restore", "--from", "back.db", "--db", restored)
	if r.code != 0 {
		t.Fatalf("restore: %d %s", r.code, r.stderr)
	}
	if r := buurtbrug(t, dir, nil, "", "restore", "--from", "back.db", "--db", restored); r.code != 1 {
		t.Errorf("a restore over an existing database: %d", r.code)
	}
	for _, table := range []string{"contacts", "residents", "persons", "handovers", "users", "audit_log", "reach_counts"} {
		q := `SELECT COUNT(*) FROM ` + table
		if a, b := countRows(t, filepath.Join(dir, "back.db"), q), countRows(t, restored, q); a != b || a == 0 {
			t.Errorf("%s: backup %d, restored %d", table, a, b)
		}
	}
	// The restored server answers what the backup holds.
	back := start(t, filepath.Dir(restored), nil, "--db", restored, "--quiet")
	csrf = back.login(t, "dock.worker", "overvecht-demo")
	var list struct {
		Contacts []map[string]any `json:"contacts"`
	}
	if st := back.do(t, "GET", "/api/v1/contacts?limit=500", csrf, nil, &list); st != http.StatusOK {
		t.Fatalf("contacts on the restored server: %d", st)
	}
	want := countRows(t, filepath.Join(dir, "back.db"), `SELECT COUNT(*) FROM contacts WHERE organisation_id =
		(SELECT id FROM organisations WHERE slug = 'dock')`)
	if len(list.Contacts) != min(want, 500) || want == 0 {
		t.Errorf("restored server lists %d contacts of DOCK, the backup holds %d", len(list.Contacts), want)
	}
}

// countRows runs a COUNT query on a database file.
func countRows(t *testing.T, path, query string) int {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(query).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func TestTLSAndMetrics(t *testing.T) {
	dir := t.TempDir()
	cert, key := selfSigned(t, dir)
	s := start(t, dir, nil, "--db", "b.db", "--demo", "--tls-cert", cert, "--tls-key", key)
	if !strings.HasPrefix(s.url, "https://") {
		t.Fatalf("serving %s", s.url)
	}
	s.client.Transport = &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}
	res, err := s.client.Post(s.url+"/api/v1/login", "application/json",
		strings.NewReader(`{"username":"hoop.worker","password":"overvecht-demo"}`))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	cookie := res.Header.Get("Set-Cookie")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(cookie, "__Host-buurtbrug_session=") || !strings.Contains(cookie, "Secure") ||
		res.Header.Get("Strict-Transport-Security") == "" {
		t.Errorf("login over TLS: %d %q %v", res.StatusCode, cookie, res.Header)
	}
	if st := s.do(t, "GET", "/api/v1/residents?q=Geheime+Naam", "", nil, nil); st != http.StatusOK {
		t.Errorf("search: %d", st)
	}
	res, err = s.client.Get(s.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	for _, want := range []string{"buurtbrug_http_request_duration_seconds_bucket", `route="/api/v1/login"`,
		"buurtbrug_logins_total", "buurtbrug_write_queue_depth", "buurtbrug_write_batch_size", "buurtbrug_sessions"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if res, err := s.client.Get(s.url + "/healthz"); err != nil || res.StatusCode != http.StatusOK {
		t.Errorf("healthz: %v %v", res, err)
	}
	s.stop(t)
	logs := s.stderr.String()
	if !strings.Contains(logs, "request_id=") || !strings.Contains(logs, "user_id=") || strings.Contains(logs, "Geheime") {
		t.Errorf("request logs: %s", logs)
	}
}

// selfSigned writes a certificate and key for 127.0.0.1 into dir.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

// TestLoginMemory: 40 wrong logins at once (each a password check of
// 19 MiB) keep the server well under 150 MB: at most one check per
// processor runs, the others wait their turn.
func TestLoginMemory(t *testing.T) {
	dir := t.TempDir()
	s := start(t, dir, nil, "--db", "b.db", "--quiet")
	t.Logf("peak RSS before: %d MB", peakRSS(t, s)/1024)
	var wg sync.WaitGroup
	statuses := make(chan int, 40)
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := http.Post(s.url+"/api/v1/login", "application/json",
				strings.NewReader(fmt.Sprintf(`{"username":"gebruiker%d","password":"fout-wachtwoord"}`, i)))
			if err != nil {
				statuses <- 0
				return
			}
			res.Body.Close()
			statuses <- res.StatusCode
		}()
	}
	wg.Wait()
	close(statuses)
	for st := range statuses {
		if st != http.StatusUnauthorized && st != http.StatusTooManyRequests && st != http.StatusServiceUnavailable {
			t.Errorf("a wrong login answered %d", st)
		}
	}
	peakKB := peakRSS(t, s)
	t.Logf("peak RSS after 40 parallel wrong logins: %d MB", peakKB/1024)
	if peakKB == 0 || peakKB > 150*1024 {
		t.Errorf("peak RSS %d kB", peakKB)
	}
}

// peakRSS is the server's peak resident set (VmHWM) in kB.
func peakRSS(t *testing.T, s *server) int {
	t.Helper()
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		t.Skipf("no /proc here: %v", err)
	}
	var kB int
	for _, line := range strings.Split(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			fmt.Sscanf(strings.TrimSpace(rest), "%d", &kB)
		}
	}
	return kB
}

// TestPrivacyCommands: retention lists (and erases) the records past their
// period; audit verify checks the chain and names the first edited line.
func TestPrivacyCommands(t *testing.T) {
	dir := t.TempDir()
	s := start(t, dir, nil, "--db", "p.db", "--demo", "--quiet")
	s.login(t, "hoop.worker", "overvecht-demo")
	s.stop(t)

	r := buurtbrug(t, dir, nil, "", "retention", "--db", "p.db", "--dry-run")
	if r.code != 0 || !strings.Contains(r.stdout, "0 registraties over hun bewaartermijn (niets gewist") {
		t.Errorf("retention --dry-run: %d %s %s", r.code, r.stdout, r.stderr)
	}
	if r := buurtbrug(t, dir, nil, "", "retention", "--db", "p.db"); r.code != 0 || !strings.Contains(r.stdout, "0 registraties") {
		t.Errorf("retention: %d %s %s", r.code, r.stdout, r.stderr)
	}
	if r := buurtbrug(t, dir, nil, "", "retention", "--db", "geen.db"); r.code != 1 || !strings.Contains(r.stderr, "bestaat niet") {
		t.Errorf("retention on a missing database: %d %s", r.code, r.stderr)
	}

	r = buurtbrug(t, dir, nil, "", "audit", "verify", "--db", "p.db")
	if r.code != 0 || !strings.Contains(r.stdout, "onaangetast") {
		t.Fatalf("audit verify: %d %s %s", r.code, r.stdout, r.stderr)
	}
	_, mark, ok := strings.Cut(strings.TrimSpace(r.stdout), "--since ")
	if !ok {
		t.Fatalf("audit verify prints no head: %s", r.stdout)
	}
	if r := buurtbrug(t, dir, nil, "", "audit", "verify", "--db", "p.db", "--since", mark); r.code != 0 {
		t.Errorf("audit verify --since its own head: %d %s %s", r.code, r.stdout, r.stderr)
	}
	for _, bad := range []string{"12", "x:abcdef12", "12:xyz", "0:abcdef1234", "12:abc"} {
		if r := buurtbrug(t, dir, nil, "", "audit", "verify", "--db", "p.db", "--since", bad); r.code != 2 ||
			!strings.Contains(r.stderr, "REGEL:HASH") {
			t.Errorf("--since %q: %d %s", bad, r.code, r.stderr)
		}
	}
	if r := buurtbrug(t, dir, nil, "", "audit", "--db", "p.db"); r.code != 2 {
		t.Errorf("audit without verify: %d", r.code)
	}
	// Lines cut off the end of a copy: the chain still holds, the head does not.
	if r := buurtbrug(t, dir, nil, "", "backup", "--db", "p.db", "--to", "kort.db"); r.code != 0 {
		t.Fatalf("backup: %s", r.stderr)
	}
	short, err := sql.Open("sqlite", filepath.Join(dir, "kort.db"))
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{`DROP TRIGGER audit_log_no_delete`, `DROP TRIGGER audit_ids_no_delete`,
		`DELETE FROM audit_ids WHERE audit_id > (SELECT MAX(id) - 2 FROM audit_log)`,
		`DELETE FROM audit_log WHERE id > (SELECT MAX(id) - 2 FROM audit_log)`} {
		if _, err := short.Exec(stmt); err != nil {
			t.Fatal(err)
		}
	}
	short.Close()
	if r := buurtbrug(t, dir, nil, "", "audit", "verify", "--db", "kort.db"); r.code != 0 {
		t.Errorf("audit verify of the cut copy, without a head: %d %s %s", r.code, r.stdout, r.stderr)
	}
	if r := buurtbrug(t, dir, nil, "", "audit", "verify", "--db", "kort.db", "--since", mark); r.code != 1 ||
		!strings.Contains(r.stderr, "ingekort") {
		t.Errorf("audit verify --since of the cut copy: %d %s %s", r.code, r.stdout, r.stderr)
	}
	// A chain taken away altogether (every hash emptied) is no chain that holds.
	short, err = sql.Open("sqlite", filepath.Join(dir, "kort.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := short.Exec(`DROP TRIGGER audit_log_no_update`); err != nil {
		t.Fatal(err)
	}
	if _, err := short.Exec(`UPDATE audit_log SET hash = NULL, username = 'iemand'`); err != nil {
		t.Fatal(err)
	}
	short.Close()
	if r := buurtbrug(t, dir, nil, "", "audit", "verify", "--db", "kort.db"); r.code != 1 || !strings.Contains(r.stderr, "klopt niet") {
		t.Errorf("audit verify without any hash: %d %s %s", r.code, r.stdout, r.stderr)
	}
	// An edited line in a copy is named.
	if r := buurtbrug(t, dir, nil, "", "backup", "--db", "p.db", "--to", "kopie.db"); r.code != 0 {
		t.Fatalf("backup: %s", r.stderr)
	}
	db, err := sql.Open("sqlite", filepath.Join(dir, "kopie.db"))
	if err != nil {
		t.Fatal(err)
	}
	var line int64
	if err := db.QueryRow(`SELECT MIN(id) FROM audit_log WHERE action = 'login'`).Scan(&line); err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{`DROP TRIGGER audit_log_no_update`, `UPDATE audit_log SET detail = 'niets' WHERE id = ?`} {
		if _, err := db.Exec(stmt, line); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	r = buurtbrug(t, dir, nil, "", "audit", "verify", "--db", "kopie.db")
	if r.code != 1 || !strings.Contains(r.stderr, fmt.Sprintf("regel %d klopt niet", line)) {
		t.Errorf("audit verify of the edited copy: %d %s %s", r.code, r.stdout, r.stderr)
	}
}
