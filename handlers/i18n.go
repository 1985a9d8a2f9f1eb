package handlers

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

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
	t := &i18n{catalogue: map[string]map[string]string{}, validator: map[string]ut.Translator{}}
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
	uni := ut.New(nl.New(), nl.New(), en.New())
	transNL, _ := uni.GetTranslator(langNL)
	transEN, _ := uni.GetTranslator(langEN)
	if err := nl_translations.RegisterDefaultTranslations(cases.Validate, transNL); err != nil {
		return nil, err
	}
	if err := en_translations.RegisterDefaultTranslations(cases.Validate, transEN); err != nil {
		return nil, err
	}
	t.validator[langNL], t.validator[langEN] = transNL, transEN
	for _, lang := range []string{langNL, langEN} {
		for _, tag := range cases.CustomTags {
			if _, ok := t.catalogue[lang]["field."+tag]; !ok {
				return nil, fmt.Errorf("translations/%s.json lacks field.%s", lang, tag)
			}
		}
	}
	return t, nil
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
func (t *i18n) Field(lang string, fe cases.FieldError) string {
	var verr validator.FieldError
	if errors.As(fe.Cause, &verr) && !slices.Contains(cases.CustomTags, fe.Tag) {
		if msg := verr.Translate(t.validator[lang]); msg != "" && !strings.Contains(msg, "Key: ") {
			return msg
		}
	}
	if _, ok := t.catalogue[lang]["field."+fe.Tag]; ok {
		return t.T(lang, "field."+fe.Tag, fe.Field, fe.Param)
	}
	return t.T(lang, "field.invalid")
}
