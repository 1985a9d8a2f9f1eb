// Package web holds the embedded templates, static files, translations and
// the OpenAPI document of Buurtbrug.
package web

import "embed"

// Templates are the HTML templates, parsed once at start-up by handlers.
//
//go:embed templates/*.html
var Templates embed.FS

// Static are the files served under /static/.
//
//go:embed static
var Static embed.FS

// Translations are the message catalogues, one JSON file per language.
//
//go:embed translations/*.json
var Translations embed.FS

// OpenAPI is the API description served at /api/v1/openapi.json.
//
//go:embed openapi.json
var OpenAPI []byte
