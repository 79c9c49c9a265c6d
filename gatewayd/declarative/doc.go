// Package declarative implements Kong's declarative configuration format
// (kong.yml / decK files) for gatewayd: loading and validating files,
// DB-less mode and /config, and decK-style dump, diff, sync and reset
// against any Kong-compatible Admin API. The `gatewayd config` CLI, the
// daemon (database = off), the Admin API's /config endpoint and the
// Ansible gateway_config module all use it.
//
// # Files
//
// Parse (or Load) reads one or more YAML or JSON documents into a File:
// `_format_version` "3.0" ("1.1" and "2.1" are migrated, route paths
// included, as Kong migrates them), `_transform`, `_comment` and `_ignore`
// anywhere, decK's `_info.select_tags`, every collection nested under its
// parent (services[].routes[], consumers[].keyauth_credentials[], ...) or
// flat with references by endpoint key or id, and decK's
// ${{ env "DECK_X" }} substitution (DECK_ and GATEWAYD_ variables only;
// substituted values are masked in every output). Problems come back all
// at once as Errors, each naming file, line, entity (by position and by
// name) and field; Errors.KongFields and Errors.Flattened render them as
// Kong's 400 code 14 body does.
//
// File.Resolve validates every entity with the same schemas the Admin
// API uses, checks uniqueness across the file (Kong's "uniqueness
// violation: ... already declared") and resolves references, returning
// the complete documents with ids.
//
// # Ids
//
// An entity without an id gets Kong's deterministic one (see GenerateID
// and idKey): uuid5(uuid5("fd02801f-0957-4a15-a55a-c8d9606f30b5", entity),
// key) where key is the endpoint key's value (suffixed with the parent's
// id for keys unique only within a parent, such as a target's address) or
// else the cache key ("plugins:<name>:<route>:<service>:<consumer>", the
// parent's id standing for the nesting field). Kong gives entities with
// neither a random id; gatewayd derives one from the entity's content
// instead, so DB-less reloads keep every id stable.
//
// # DB-less
//
// DBless loads a File into a store in one transaction, replacing
// everything, and keeps its hash (Kong's configuration_hash) beside it;
// Export renders the loaded configuration for GET /config.
//
// # Sync, diff, dump, reset
//
// Sync talks to a node only through gatewayd/api: one List per collection
// (per upstream for targets), the node's /schemas for defaults, then
// creates (PUT by id, so a retried request is harmless; targets are
// POSTed under their upstream) and updates
// (PATCH of the changed fields) parents first and deletes children first,
// in parallel within each entity type. A file entity is the node entity
// with the same id, or else the same endpoint key, unique field or cache
// key, or else the id an earlier sync generated for it. A field the file
// leaves out means the node's schema default (decK's rule), and values
// the server computes (ids, timestamps, generated keys, password hashes,
// a target's default port) are compared as the server computes them, so
// a re-sync of an unchanged file finds no changes. With select tags only
// entities carrying every tag are read, changed or deleted, the tags are
// added to every entity of the file, and creating an entity the node
// holds outside the scope is refused before anything is written. Diff is
// a Sync that does not write; Reset is a Sync of an empty file; Dump
// writes the node's state the way a human would write it.
package declarative
