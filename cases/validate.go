package cases

import (
	"errors"
	"reflect"
	"regexp"
	"strings"
	"unicode"

	"github.com/go-playground/validator/v10"
)

// Validate is the validator used by every domain type's Validate method.
// Handlers register its translations; field names are the JSON keys.
var Validate = newValidator()

var (
	slugPattern     = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	phonePattern    = regexp.MustCompile(`^\+?[0-9][0-9 ()-]{5,18}[0-9]$`)
	usernamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)
)

// CustomTags are the validator tags Buurtbrug adds; handlers translate them.
var CustomTags = []string{"slug", "phone", "plaintext", "username"}

func newValidator() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			return ""
		}
		return name
	})
	must(v.RegisterValidation("slug", func(fl validator.FieldLevel) bool {
		return len(fl.Field().String()) <= 64 && slugPattern.MatchString(fl.Field().String())
	}))
	must(v.RegisterValidation("phone", func(fl validator.FieldLevel) bool {
		return phonePattern.MatchString(fl.Field().String())
	}))
	must(v.RegisterValidation("username", func(fl validator.FieldLevel) bool {
		return usernamePattern.MatchString(fl.Field().String())
	}))
	// plaintext refuses control characters other than newlines and tabs,
	// and the invisible characters that change how text reads (bidi
	// overrides and isolates, zero-width characters), so stored text cannot
	// smuggle terminal escapes, invisible payloads or a name that reads
	// differently from what it is.
	must(v.RegisterValidation("plaintext", func(fl validator.FieldLevel) bool {
		return strings.IndexFunc(fl.Field().String(), func(r rune) bool {
			return (unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t') || invisible(r)
		}) < 0
	}))
	return v
}

// invisible reports the characters that change how text reads without
// showing: zero-width spaces and joiners, direction marks, bidi embeddings,
// overrides and isolates, word joiners and the byte-order mark.
func invisible(r rune) bool {
	return (r >= 0x200B && r <= 0x200F) || (r >= 0x202A && r <= 0x202E) || (r >= 0x2060 && r <= 0x2064) ||
		(r >= 0x2066 && r <= 0x2069) || r == 0xFEFF
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

// validateStruct runs the validator and turns its complaints into an EINVALID
// domain error, keeping the validator's error for translation.
func validateStruct(s any) []FieldError {
	err := Validate.Struct(s)
	if err == nil {
		return nil
	}
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) {
		return []FieldError{{Field: "", Tag: "invalid", Cause: err}}
	}
	out := make([]FieldError, 0, len(verrs))
	for _, fe := range verrs {
		out = append(out, FieldError{Field: fieldPath(fe), Tag: fe.Tag(), Param: fe.Param(), Cause: fe})
	}
	return out
}

// fieldPath turns "ContactInput.topics[0]" into "topics[0]".
func fieldPath(fe validator.FieldError) string {
	ns := fe.Namespace()
	if _, rest, ok := strings.Cut(ns, "."); ok {
		return rest
	}
	return fe.Field()
}

// InvalidOrNil wraps field problems into an error, or returns nil for none.
func InvalidOrNil(fields []FieldError) error {
	if len(fields) == 0 {
		return nil
	}
	return Invalid(fields...)
}
