package cases

import (
	"strconv"
	"strings"
)

func trim(s string) string      { return strings.TrimSpace(s) }
func trimRight(s string) string { return strings.TrimRight(s, " \t\r\n") }

func hasField(fields []FieldError, name string) bool {
	for _, f := range fields {
		if f.Field == name {
			return true
		}
	}
	return false
}

func itoa(n int) string { return strconv.Itoa(n) }
