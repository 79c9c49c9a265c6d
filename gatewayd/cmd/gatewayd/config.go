package main

import (
	"fmt"
	"os"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/conf"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/declarative"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/entity"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin"
	_ "github.com/gatewayd-toolkit/gatewayd/gatewayd/plugins/bundled" // registers the bundled plugins
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/store"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/store/sqlstore"
)

// loadConfig reads the configuration with the -p override applied.
func loadConfig(g globalFlags) (*conf.Config, error) {
	env := os.Environ()
	if g.prefix != "" {
		env = append(env, conf.EnvPrefix+"PREFIX="+g.prefix)
	}
	c, err := conf.Load(g.conf, env)
	if err != nil {
		return nil, err
	}
	for _, w := range c.Warnings {
		fmt.Fprintln(os.Stderr, "warning:", w)
	}
	return c, nil
}

// catalog loads the plugins the configuration names.
func catalog(c *conf.Config) (*plugin.Catalog, error) {
	return plugin.NewCatalog(c.Plugins)
}

// registry returns every entity schema gatewayd serves with these plugins
// loaded: core entities plus the loaded plugins' credentials.
func registry(cat *plugin.Catalog) *schema.Registry {
	reg := entity.Core(cat.Lookup)
	for _, e := range cat.Entities() {
		reg.Add(e)
	}
	return reg
}

// storeConfig turns gatewayd.conf database settings into a store config.
func storeConfig(c *conf.Config) (sqlstore.Config, error) {
	switch c.Database {
	case "sqlite":
		return sqlstore.Config{Driver: sqlstore.DriverSQLite, Path: c.SQLitePath(),
			Options: sqlstore.Options{AutoMigrate: true}}, nil
	case "off":
		// DB-less: the declarative configuration lives in an SQLite file of
		// its own, so a restart without declarative_config keeps serving
		// it (Kong persists it in LMDB) and switching modes never touches
		// the sqlite-mode database.
		return sqlstore.Config{Driver: sqlstore.DriverSQLite, Path: c.Path(dblessFile),
			Options: sqlstore.Options{AutoMigrate: true}}, nil
	case "postgres":
		dsn := fmt.Sprintf("host=%s port=%d user=%s dbname=%s connect_timeout=%d",
			quoteDSN(c.PGHost), c.PGPort, quoteDSN(c.PGUser), quoteDSN(c.PGDatabase), max(1, int(c.PGTimeout.Seconds())))
		if c.PGPassword != "" {
			dsn += " password=" + quoteDSN(c.PGPassword)
		}
		if c.PGSSL {
			if c.PGSSLVerify {
				dsn += " sslmode=verify-full"
			} else {
				dsn += " sslmode=require"
			}
		} else {
			dsn += " sslmode=disable"
		}
		if c.PGSchema != "" {
			dsn += " search_path=" + quoteDSN(c.PGSchema)
		}
		return sqlstore.Config{Driver: sqlstore.DriverPostgres, DSN: dsn,
			Options: sqlstore.Options{MaxConns: c.PGPoolSize}}, nil
	}
	return sqlstore.Config{}, fmt.Errorf("database = %s is not supported (use sqlite, postgres or off)", c.Database)
}

// dblessFile is where database = off persists the loaded configuration,
// relative to the prefix.
const dblessFile = "data/dbless.db"

// quoteDSN quotes a keyword=value DSN value (libpq rules).
func quoteDSN(s string) string {
	out := []byte{'\''}
	for i := 0; i < len(s); i++ {
		if s[i] == '\'' || s[i] == '\\' {
			out = append(out, '\\')
		}
		out = append(out, s[i])
	}
	return string(append(out, '\''))
}

// metas describes every table the store keeps: core entities and the
// entities of every registered plugin, loaded or not, so enabling a plugin
// later needs no migration and disabling one never drops credentials.
func metas() []store.Meta {
	all, err := plugin.NewCatalog([]string{"bundled"})
	if err != nil {
		panic(err) // "bundled" always resolves
	}
	reg := entity.Core(all.Lookup)
	for _, e := range plugin.AllEntities() {
		reg.Add(e)
	}
	return append(store.MetasFromSchemas(reg), declarative.StoreMeta())
}

// metaNames lists the tables metas describes.
func metaNames() []string {
	var out []string
	for _, m := range metas() {
		out = append(out, m.Name)
	}
	return out
}
