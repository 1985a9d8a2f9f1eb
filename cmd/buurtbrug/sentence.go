package main

import (
	"errors"
	"strings"

	"github.com/buurtbrug/buurtbrug/cases"
	"github.com/buurtbrug/buurtbrug/handlers"
)

// sentence says what went wrong in Dutch: a domain error as the screens say
// it ("Wachtwoord moet minstens 12 tekens hebben."), also inside a wrapping
// error; anything else as it is.
func sentence(err error) string {
	var e *cases.Error
	if !errors.As(err, &e) {
		return err.Error()
	}
	return strings.Replace(err.Error(), e.Error(), handlers.Describe("nl", e), 1)
}
