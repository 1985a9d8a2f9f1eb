package handlers

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/go-playground/locales/en"
	"github.com/go-playground/locales/nl"
	ut "github.com/go-playground/universal-translator"
	"github.com/go-playground/validator/v10"
	en_translations "github.com/go-playground/validator/v10/translations/en"
	nl_translations "github.com/go-playground/validator/v10/translations/nl"

	"github.com/buurtbrug/buurtbrug/cases"
	"github.com/buurtbrug/buurtbrug/web"
)

// Languages, Dutch first.
const (
	langNL = "nl"
	langEN = "en"
)

// i18n translates messages from the catalogues in web/translations and the
// validator's own messages for its built-in rules.
type i18n struct {
	catalogue map[string]map[string]string
	validator map[string]ut.Translator
}

func newI18n() (*i18n, error) {
	t := &i18n{catalogue: map[string]map[string]string{}}
	files, err := fs.Glob(web.Translations, "translations/*.json")
	if err != nil {
		return nil, err
	}
	for _, file := range files {
		data, err := fs.ReadFile(web.Translations, file)
		if err != nil {
			return nil, err
		}
		messages := map[string]string{}
		if err := json.Unmarshal(data, &messages); err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		t.catalogue[strings.TrimSuffix(path.Base(file), ".json")] = messages
	}
	if t.validator, err = validatorTranslators(); err != nil {
		return nil, err
	}
	for _, lang := range []string{langNL, langEN} {
		for _, tag := range cases.CustomTags {
			if _, ok := t.catalogue[lang]["field."+tag]; !ok {
				return nil, fmt.Errorf("translations/%s.json lacks field.%s", lang, tag)
			}
		}
	}
	return t, nil
}

var (
	translatorsOnce sync.Once
	translators     map[string]ut.Translator
	translatorsErr  error
)

// validatorTranslators registers the validator's own Dutch and English
// messages, once: they live on the one shared cases.Validate.
func validatorTranslators() (map[string]ut.Translator, error) {
	translatorsOnce.Do(func() {
		uni := ut.New(nl.New(), nl.New(), en.New())
		transNL, _ := uni.GetTranslator(langNL)
		transEN, _ := uni.GetTranslator(langEN)
		if translatorsErr = nl_translations.RegisterDefaultTranslations(cases.Validate, transNL); translatorsErr != nil {
			return
		}
		if translatorsErr = en_translations.RegisterDefaultTranslations(cases.Validate, transEN); translatorsErr != nil {
			return
		}
		translators = map[string]ut.Translator{langNL: transNL, langEN: transEN}
	})
	return translators, translatorsErr
}

// T translates key into lang, filling {0}, {1}, ... with args. An unknown
// key falls back to Dutch, then to the key itself.
func (t *i18n) T(lang, key string, args ...any) string {
	msg, ok := t.catalogue[lang][key]
	if !ok {
		if msg, ok = t.catalogue[langNL][key]; !ok {
			msg = key
		}
	}
	for i, arg := range args {
		msg = strings.ReplaceAll(msg, fmt.Sprintf("{%d}", i), fmt.Sprint(arg))
	}
	return msg
}

// Field explains one field problem: our catalogue first, then the
// validator's translation of its own rule.
// The field is named by its label in lang ("label.birth_date"), so a user
// reads "Geboortedatum", not "birth_date". A resource may name a field its
// own way ("label.handovers.to" is the partner, "label.to" the end of a
// period): scope is the resource of the request, "" for none.
func (t *i18n) Field(lang, scope string, fe cases.FieldError) string {
	label := t.label(lang, scope, fe.Field)
	var verr validator.FieldError
	if errors.As(fe.Cause, &verr) && !slices.Contains(cases.CustomTags, fe.Tag) {
		if msg := verr.Translate(t.validator[lang]); msg != "" && !strings.Contains(msg, "Key: ") {
			return strings.Replace(msg, verr.Field(), label, 1)
		}
	}
	if _, ok := t.catalogue[lang]["field."+fe.Tag]; ok {
		return t.T(lang, "field."+fe.Tag, label, fe.Param)
	}
	return t.T(lang, "field.invalid")
}

// label names a field: "topics[2]" is labelled as "topics", and a nested
// "consent.how" as "consent.how" or else as "how". A field without a label
// keeps its JSON name.
func (t *i18n) label(lang, scope, field string) string {
	base := indexSuffix.ReplaceAllString(field, "")
	_, last, _ := strings.Cut(base, ".")
	keys := []string{base, last}
	if scope != "" {
		keys = append([]string{scope + "." + base}, keys...)
	}
	for _, key := range keys {
		for _, l := range []string{lang, langNL} {
			if label, ok := t.catalogue[l]["label."+key]; ok && key != "" {
				return label
			}
		}
	}
	return field
}

// resourceOf is the resource a request is about, for field labels: the
// first part of the path ("/api/v1/handovers/…" and "/handovers/new" are
// "handovers").
func resourceOf(path string) string {
	path = strings.TrimPrefix(path, "/api/v1")
	first, _, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
	return first
}

// indexSuffix matches the list indexes in a field path ("[0]").
var indexSuffix = regexp.MustCompile(`\[[0-9]+\]`)

var sharedI18n = sync.OnceValues(newI18n)

// Describe says what err means in lang, as sentences: the message and, for
// invalid input, what is wrong with each field ("Wachtwoord moet minstens
// 12 tekens hebben."). For the command line.
func Describe(lang string, err error) string {
	var e *cases.Error
	t, terr := sharedI18n()
	if terr != nil || !errors.As(err, &e) {
		return err.Error()
	}
	if e.Code == cases.EINVALID && len(e.Fields) > 0 {
		parts := make([]string, 0, len(e.Fields))
		for _, f := range e.Fields {
			parts = append(parts, t.Field(lang, "", f))
		}
		return strings.Join(parts, " ")
	}
	return t.T(lang, e.Message, e.Args...)
}
