package kek

import (
	"errors"
	"fmt"
	"os"
)

// Env returns the KEK held in the environment variable name, as the base64
// of 32 bytes. The ID is "env:" and the name. Fails when the variable is
// unset or does not hold the base64 of exactly 32 bytes; the error never
// contains the variable's value.
func Env(name string) (KEK, error) {
	if name == "" {
		return nil, errors.New("kek: empty environment variable name")
	}
	v, ok := os.LookupEnv(name)
	if !ok || v == "" {
		return nil, fmt.Errorf("kek: environment variable %s is not set", name)
	}
	return newLocal("env:"+name, "environment variable "+name, v)
}
