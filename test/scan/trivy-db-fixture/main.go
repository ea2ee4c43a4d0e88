// Command trivy-db-fixture writes a Trivy vulnerability database for the scan tests: the
// advisories given (GitHub Security Advisories in their published OSV JSON form), built by
// trivy-db's own build (vulndb.Build, the code that builds the published database) limited to the
// GHSA source, into Trivy's cache layout: <cache-dir>/db/trivy.db and <cache-dir>/db/metadata.json,
// with NextUpdate far ahead so that Trivy never tries to download a newer one. It then prints
// every top-level bucket of the database with its keys, as JSON, so a test can check that the
// database holds what it wrote and nothing else.
//
// Usage: trivy-db-fixture -advisories DIR -cache-dir DIR
// where DIR/ghsa/advisories/github-reviewed/**/GHSA-*.json are the advisories (the layout of
// github.com/github/advisory-database, which trivy-db reads).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/aquasecurity/trivy-db/pkg/db"
	"github.com/aquasecurity/trivy-db/pkg/types"
	"github.com/aquasecurity/trivy-db/pkg/vulndb"
	"github.com/aquasecurity/trivy-db/pkg/vulnsrc"
	"github.com/aquasecurity/trivy-db/pkg/vulnsrc/ghsa"
)

func main() {
	advisories := flag.String("advisories", "", "folder holding ghsa/advisories/github-reviewed/**/GHSA-*.json")
	cacheDir := flag.String("cache-dir", "", "Trivy's cache folder (--cache-dir): db/trivy.db and db/metadata.json are written in it")
	validFor := flag.Duration("valid-for", 10*365*24*time.Hour, "NextUpdate in metadata.json is now plus this")
	flag.Parse()
	if *advisories == "" || *cacheDir == "" {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*advisories, *cacheDir, *validFor); err != nil {
		fmt.Fprintf(os.Stderr, "trivy-db-fixture: %v\n", err)
		os.Exit(1)
	}
}

func run(advisories, cacheDir string, validFor time.Duration) error {
	out := filepath.Join(cacheDir, "db")
	// The GHSA source also maps Swift advisories to CocoaPods names from a Specs checkout; none here.
	if err := os.MkdirAll(filepath.Join(advisories, "cocoapods-specs", "Specs"), 0o755); err != nil {
		return err
	}
	if err := db.Init(out); err != nil {
		return fmt.Errorf("db init: %w", err)
	}
	defer db.Close()
	src := ghsa.NewVulnSrc()
	build := vulndb.New(advisories, out, validFor, vulndb.WithVulnSrcs(map[types.SourceID]vulnsrc.VulnSrc{src.Name(): src}))
	if err := build.Build([]string{string(src.Name())}); err != nil {
		return fmt.Errorf("build: %w", err)
	}
	buckets := map[string][]string{}
	err := db.Config{}.Connection().View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			keys := []string{}
			if err := b.ForEach(func(k, _ []byte) error {
				keys = append(keys, string(k))
				return nil
			}); err != nil {
				return err
			}
			buckets[string(name)] = keys
			return nil
		})
	})
	if err != nil {
		return fmt.Errorf("listing buckets: %w", err)
	}
	return json.NewEncoder(os.Stdout).Encode(buckets)
}
