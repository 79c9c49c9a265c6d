//go:build !unix

package main

func (s *sim) lock() (func(), error) { return func() {}, nil }
