package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/conf"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/store/sqlstore"
	"github.com/spf13/cobra"
)

func startCmd() *cobra.Command {
	var g globalFlags
	var detach bool
	cmd := &cobra.Command{
		Use:   "start",
		Short: "Start gatewayd in the foreground (--daemon to detach)",
		Long: `Start gatewayd. It runs in the foreground (systemd-friendly) and logs to
stderr and <prefix>/logs/error.log; SIGTERM or SIGINT stop it gracefully.
With --daemon it detaches, and returns once gatewayd is ready.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := loadConfig(g)
			if err != nil {
				return err
			}
			if detach {
				return startDetached(cfg)
			}
			ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT, syscall.SIGQUIT)
			defer stop()
			return run(ctx, cfg, true)
		},
	}
	g.register(cmd)
	cmd.Flags().BoolVar(&detach, "daemon", false, "run in the background")
	return cmd
}

// startDetached re-executes gatewayd in the foreground mode in a new
// session, then waits for its status API to report ready.
func startDetached(cfg *conf.Config) error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	var args []string
	for _, a := range os.Args[1:] {
		if a != "--daemon" && a != "--daemon=true" {
			args = append(args, a)
		}
	}
	if err := os.MkdirAll(cfg.Path("logs"), 0o700); err != nil {
		return err
	}
	out, err := os.OpenFile(cfg.Path("logs/gatewayd.out"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	defer out.Close()
	c := exec.Command(exe, args...)
	c.Env = append(os.Environ(), conf.EnvPrefix+"PREFIX="+cfg.Prefix)
	c.Stdout, c.Stderr = out, out
	c.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := c.Start(); err != nil {
		return fmt.Errorf("starting gatewayd: %w", err)
	}
	done := make(chan error, 1)
	go func() { done <- c.Wait() }()
	deadline := time.After(30 * time.Second)
	for {
		select {
		case err := <-done:
			return fmt.Errorf("gatewayd exited during start (%v); see %s", err, cfg.ErrorLog())
		case <-deadline:
			return fmt.Errorf("gatewayd did not become ready in 30s; see %s", cfg.ErrorLog())
		case <-time.After(100 * time.Millisecond):
			if ready(cfg) == nil {
				fmt.Printf("gatewayd started (pid %d)\n", c.Process.Pid)
				return nil
			}
		}
	}
}

// ready asks the status API whether gatewayd is ready.
func ready(cfg *conf.Config) error {
	if len(cfg.StatusListen) == 0 {
		return errors.New("status_listen is off")
	}
	l := cfg.StatusListen[0]
	host := l.Host
	if host == "0.0.0.0" || host == "" {
		host = "127.0.0.1"
	} else if host == "::" {
		host = "::1"
	}
	scheme := "http"
	if l.SSL {
		scheme = "https"
	}
	client := &http.Client{Timeout: 2 * time.Second}
	resp, err := client.Get(scheme + "://" + joinHost(host, l.Port) + "/status/ready")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status API answered %s", resp.Status)
	}
	return nil
}

func joinHost(host string, port int) string {
	if strings.Contains(host, ":") {
		return fmt.Sprintf("[%s]:%d", host, port)
	}
	return fmt.Sprintf("%s:%d", host, port)
}

func stopCmd() *cobra.Command {
	var g globalFlags
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "stop",
		Short: "Stop a running gatewayd gracefully (SIGTERM)",
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := loadConfig(g)
			if err != nil {
				return err
			}
			pid, err := readPID(cfg.PIDFile())
			if err != nil || !processAlive(pid) {
				return fmt.Errorf("gatewayd is not running in %s", cfg.Prefix)
			}
			if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
				return err
			}
			deadline := time.Now().Add(timeout)
			for time.Now().Before(deadline) {
				if !processAlive(pid) {
					fmt.Println("gatewayd stopped")
					return nil
				}
				time.Sleep(50 * time.Millisecond)
			}
			return fmt.Errorf("gatewayd (pid %d) did not stop within %s", pid, timeout)
		},
	}
	g.register(cmd)
	cmd.Flags().DurationVarP(&timeout, "timeout", "t", 15*time.Second, "how long to wait for the process to exit")
	return cmd
}

func reloadCmd() *cobra.Command {
	var g globalFlags
	cmd := &cobra.Command{
		Use:   "reload",
		Short: "Ask a running gatewayd to rebuild its configuration snapshot (SIGHUP)",
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := loadConfig(g)
			if err != nil {
				return err
			}
			pid, err := readPID(cfg.PIDFile())
			if err != nil || !processAlive(pid) {
				return fmt.Errorf("gatewayd is not running in %s", cfg.Prefix)
			}
			if err := syscall.Kill(pid, syscall.SIGHUP); err != nil {
				return err
			}
			fmt.Println("reload signal sent")
			return nil
		},
	}
	g.register(cmd)
	return cmd
}

func checkCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "check [gatewayd.conf]",
		Short: "Validate a configuration file; errors name the file, line and key",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := ""
			if len(args) == 1 {
				path = args[0]
			}
			cfg, err := conf.Load(path, os.Environ())
			if err != nil {
				return fmt.Errorf("configuration is invalid:\n%w", err)
			}
			if _, err := catalog(cfg); err != nil {
				return fmt.Errorf("configuration is invalid:\n%w", err)
			}
			for _, w := range cfg.Warnings {
				fmt.Fprintln(os.Stderr, "warning:", w)
			}
			where := cfg.File
			if where == "" {
				where = "defaults and environment"
			}
			fmt.Printf("configuration at %s is valid\n", where)
			return nil
		},
	}
	return cmd
}

func healthCmd() *cobra.Command {
	var g globalFlags
	cmd := &cobra.Command{
		Use:   "health",
		Short: "Report whether gatewayd is running and ready",
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := loadConfig(g)
			if err != nil {
				return err
			}
			pid, err := readPID(cfg.PIDFile())
			if err != nil || !processAlive(pid) {
				return fmt.Errorf("gatewayd is not running in %s", cfg.Prefix)
			}
			if err := ready(cfg); err != nil {
				return fmt.Errorf("gatewayd (pid %d) is running but not ready: %w", pid, err)
			}
			fmt.Printf("gatewayd (pid %d) is healthy\n", pid)
			return nil
		},
	}
	g.register(cmd)
	return cmd
}

func versionCmd() *cobra.Command {
	var all bool
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the gatewayd version",
		Run: func(cmd *cobra.Command, args []string) {
			fmt.Println("gatewayd", Version)
			if all {
				fmt.Println("Kong Admin API:", KongVersion)
				fmt.Println("Go:", goVersion())
			}
		},
	}
	cmd.Flags().BoolVarP(&all, "all", "a", false, "also print the Kong API level and Go version")
	return cmd
}

func migrationsCmd() *cobra.Command {
	var g globalFlags
	cmd := &cobra.Command{
		Use:   "migrations bootstrap|up|status|list",
		Short: "Manage the database schema",
		Long: `bootstrap  create gatewayd's schema in an empty database
up         apply pending migrations (idempotent)
status     show applied and pending migrations (fails when some are pending)
list       list every migration gatewayd knows`,
		Args:      cobra.ExactArgs(1),
		ValidArgs: []string{"bootstrap", "up", "status", "list"},
		RunE: func(cmd *cobra.Command, args []string) error {
			if args[0] == "list" {
				for _, n := range sqlstore.MigrationNames() {
					fmt.Println(n)
				}
				return nil
			}
			cfg, err := loadConfig(g)
			if err != nil {
				return err
			}
			if cfg.Database == conf.DatabaseOff {
				return errors.New("migrations do not apply with database = off: the DB-less store migrates itself")
			}
			sc, err := storeConfig(cfg)
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			db, err := sqlstore.Connect(ctx, sc)
			if err != nil {
				return err
			}
			defer db.Close()
			return migrate(ctx, db, args[0])
		},
	}
	g.register(cmd)
	return cmd
}

func migrate(ctx context.Context, db *sqlstore.DB, action string) error {
	switch action {
	case "bootstrap":
		applied, err := sqlstore.Bootstrap(ctx, db)
		if errors.Is(err, sqlstore.ErrAlreadyBootstrapped) {
			// Kong prints "Database already bootstrapped" and succeeds, so
			// provisioning scripts and a second node can run it blindly.
			fmt.Println("database already bootstrapped")
			return nil
		}
		if err != nil {
			return err
		}
		printApplied(applied, "database already bootstrapped")
	case "up":
		applied, err := sqlstore.Up(ctx, db)
		if err != nil {
			return err
		}
		printApplied(applied, "database is up to date")
	case "status":
		st, err := sqlstore.MigrationStatus(ctx, db)
		if err != nil {
			return err
		}
		for _, n := range st.Applied {
			fmt.Println("applied:", n)
		}
		for _, n := range st.Unknown {
			fmt.Println("applied by a newer gatewayd:", n)
		}
		for _, n := range st.Pending {
			fmt.Println("pending:", n)
		}
		switch {
		case !st.Bootstrapped():
			return errors.New("database needs bootstrapping; run 'gatewayd migrations bootstrap'")
		case !st.UpToDate():
			return fmt.Errorf("%d migration(s) pending; run 'gatewayd migrations up'", len(st.Pending))
		}
		fmt.Println("database is up to date")
	default:
		return fmt.Errorf("unknown migrations action %q (want bootstrap, up, status or list)", action)
	}
	return nil
}

func printApplied(applied []string, none string) {
	if len(applied) == 0 {
		fmt.Println(none)
		return
	}
	for _, n := range applied {
		fmt.Println("migrated:", n)
	}
	fmt.Printf("%d migration(s) applied\n", len(applied))
}
