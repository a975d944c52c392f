// fake-kubelet answers the kubelet's streaming endpoints for kubegen's end-to-end tests, so that
// kube-apiserver's own exec/attach/port-forward/log handling (including its WebSocket→SPDY
// translation) runs for real. The wire protocol comes from the upstream kubelet-side packages
// (k8s.io/cri-streaming); only the "container runtime" behind them is local:
//   - exec runs the command as a local process (`__resize` prints each terminal size instead);
//   - attach joins a "main process" that echoes stdin to stdout;
//   - port-forward dials 127.0.0.1:<port>;
//   - containerLogs serves ten history lines (one every 10 s up to now) and, with follow, a new
//     line every 100 ms after a 700 ms pause; container "waiting" answers like a container that
//     has not started, and container "flood" writes tailLines lines as fast as it can;
//   - node proxy: /healthz answers "ok", any other path describes the request it got.
//
// With -echo-http ADDR it is instead a plain HTTP server that describes each request it gets
// (used as the backend of pod and service proxy tests inside a network namespace).
package main

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"time"

	"k8s.io/cri-streaming/pkg/streaming/portforward"
	rc "k8s.io/cri-streaming/pkg/streaming/remotecommand"
	utilexec "k8s.io/utils/exec"
)

const (
	followPause           = 700 * time.Millisecond
	idleTimeout           = 4 * time.Hour
	streamCreationTimeout = 30 * time.Second
)

type runtime struct{}

func (runtime) ExecInContainer(ctx context.Context, _, _, _ string, cmd []string, in io.Reader,
	out, errw io.WriteCloser, tty bool, resize <-chan rc.TerminalSize, _ time.Duration) error {
	if len(cmd) == 0 {
		return errors.New("no command")
	}
	if cmd[0] == "__resize" {
		for sz := range resize {
			fmt.Fprintf(out, "%dx%d\n", sz.Width, sz.Height)
		}
		return nil
	}
	c := exec.CommandContext(ctx, cmd[0], cmd[1:]...)
	if out != nil {
		c.Stdout = out
	}
	if errw != nil {
		c.Stderr = errw
	} else if tty && out != nil {
		c.Stderr = out
	}
	if in != nil {
		// Not c.Stdin = in: Wait would then wait for the client's stdin to end even after the
		// process has exited; a real runtime ends the session when the process does.
		w, err := c.StdinPipe()
		if err != nil {
			return err
		}
		go func() { io.Copy(w, in); w.Close() }()
	}
	err := c.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.Exited() {
		return utilexec.CodeExitError{Err: err, Code: ee.ExitCode()}
	}
	return err
}

func (runtime) AttachContainer(ctx context.Context, _, _, _ string, in io.Reader, out, _ io.WriteCloser,
	_ bool, _ <-chan rc.TerminalSize) error {
	if out == nil {
		return nil
	}
	fmt.Fprint(out, "attached\n")
	if in == nil {
		<-ctx.Done()
		return nil
	}
	_, err := io.Copy(out, in)
	return err
}

func (runtime) PortForward(ctx context.Context, _, _ string, port int32, stream io.ReadWriteCloser) error {
	defer stream.Close()
	conn, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(int(port))))
	if err != nil {
		return err
	}
	defer conn.Close()
	done := make(chan struct{}, 2)
	go func() {
		io.Copy(conn, stream)
		conn.(*net.TCPConn).CloseWrite()
		done <- struct{}{}
	}()
	go func() {
		io.Copy(stream, conn)
		done <- struct{}{}
	}()
	// As containerd does: when one direction ends, the other gets one more second to finish (so a
	// reply to a half-closed request over SPDY still arrives, and a v4 WebSocket, which cannot
	// half-close, does not hold the connection open for ever).
	select {
	case <-done:
	case <-ctx.Done():
		return nil
	}
	select {
	case <-done:
	case <-time.After(time.Second):
	case <-ctx.Done():
	}
	return nil
}

func logs(w http.ResponseWriter, r *http.Request) {
	pod, container := r.PathValue("pod"), r.PathValue("container")
	if container == "waiting" {
		http.Error(w, fmt.Sprintf("container %q in pod %q is waiting to start: ContainerCreating", container, pod), http.StatusBadRequest)
		return
	}
	q := r.URL.Query()
	if container == "flood" {
		flood(w, q.Get("tailLines"))
		return
	}
	follow := q.Get("follow") == "true"
	timestamps := q.Get("timestamps") == "true"
	now := time.Now()
	type line struct {
		at   time.Time
		text string
	}
	var history []line
	for i := 1; i <= 10; i++ {
		history = append(history, line{now.Add(-time.Duration(11-i) * 10 * time.Second), fmt.Sprintf("%s/%s line %d", pod, container, i)})
	}
	if s := q.Get("sinceSeconds"); s != "" {
		n, _ := strconv.Atoi(s)
		cut := now.Add(-time.Duration(n) * time.Second)
		for len(history) > 0 && history[0].at.Before(cut) {
			history = history[1:]
		}
	}
	if s := q.Get("tailLines"); s != "" {
		n, _ := strconv.Atoi(s)
		if n < len(history) {
			history = history[len(history)-n:]
		}
	}
	w.Header().Set("Content-Type", "text/plain")
	flusher, _ := w.(http.Flusher)
	write := func(l line) error {
		text := l.text + "\n"
		if timestamps {
			text = l.at.UTC().Format(time.RFC3339Nano) + " " + text
		}
		_, err := io.WriteString(w, text)
		if flusher != nil {
			flusher.Flush()
		}
		return err
	}
	for _, l := range history {
		if write(l) != nil {
			return
		}
	}
	if !follow {
		return
	}
	// A quiet spell first, longer than the test clients' idle timeout: a follow must outlast it.
	select {
	case <-r.Context().Done():
		return
	case <-time.After(followPause):
	}
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for n := 11; ; n++ {
		select {
		case <-r.Context().Done():
			return
		case t := <-tick.C:
			if write(line{t, fmt.Sprintf("%s/%s line %d", pod, container, n)}) != nil {
				return
			}
		}
	}
}

// flood writes n (tailLines, default 100000) numbered lines as fast as it can, for benchmarks.
func flood(w http.ResponseWriter, tail string) {
	n, err := strconv.Atoi(tail)
	if err != nil || n <= 0 {
		n = 100000
	}
	w.Header().Set("Content-Type", "text/plain")
	buf := bufio.NewWriterSize(w, 64*1024)
	for i := 1; i <= n; i++ {
		fmt.Fprintf(buf, "2026-01-01T00:00:00.000000000Z flood line %d of a benchmark log\n", i)
	}
	buf.Flush()
}

// describe answers with what it got: method, path, query, the X-Test header and the body.
func describe(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{
		"method": r.Method,
		"path":   r.URL.Path,
		"query":  r.URL.RawQuery,
		"header": r.Header.Get("X-Test"),
		"body":   string(body),
	})
}

func echoHTTP(addr string) error {
	return http.ListenAndServe(addr, http.HandlerFunc(describe))
}

func selfSigned() tls.Certificate {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "fake-kubelet"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		panic(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "kubelet listen address")
	echo := flag.String("echo-http", "", "serve a request-describing HTTP backend on this address instead")
	flag.Parse()
	if *echo != "" {
		fmt.Fprintln(os.Stderr, echoHTTP(*echo))
		os.Exit(1)
	}
	rt := runtime{}
	mux := http.NewServeMux()
	mux.HandleFunc("/exec/{ns}/{pod}/{container}", func(w http.ResponseWriter, r *http.Request) {
		o, err := rc.NewOptions(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		rc.ServeExec(w, r, rt, r.PathValue("pod"), "", r.PathValue("container"), r.URL.Query()["command"],
			o, idleTimeout, streamCreationTimeout, rc.SupportedStreamingProtocols)
	})
	mux.HandleFunc("/attach/{ns}/{pod}/{container}", func(w http.ResponseWriter, r *http.Request) {
		o, err := rc.NewOptions(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		rc.ServeAttach(w, r, rt, r.PathValue("pod"), "", r.PathValue("container"),
			o, idleTimeout, streamCreationTimeout, rc.SupportedStreamingProtocols)
	})
	mux.HandleFunc("/portForward/{ns}/{pod}", func(w http.ResponseWriter, r *http.Request) {
		o, err := portforward.NewV4Options(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		portforward.ServePortForward(w, r, rt, r.PathValue("pod"), "", o, idleTimeout, streamCreationTimeout, portforward.SupportedProtocols)
	})
	mux.HandleFunc("GET /containerLogs/{ns}/{pod}/{container}", logs)
	// What node proxy (nodes/{name}/proxy/{path}) reaches: a health check, and any other path described.
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	mux.HandleFunc("/", describe)
	ln, err := tls.Listen("tcp", *addr, &tls.Config{Certificates: []tls.Certificate{selfSigned()}, NextProtos: []string{"http/1.1"}})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(ln.Addr().(*net.TCPAddr).Port)
	fmt.Fprintln(os.Stderr, (&http.Server{Handler: mux}).Serve(ln))
	os.Exit(1)
}
