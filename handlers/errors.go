package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/buurtbrug/buurtbrug/cases"
)

// maxBody is the largest request body accepted anywhere.
const maxBody = 64 << 10

// statusOf maps each domain error code to one HTTP status.
var statusOf = map[string]int{
	cases.EBADREQUEST:   http.StatusBadRequest,
	cases.EUNAUTHORIZED: http.StatusUnauthorized,
	cases.EFORBIDDEN:    http.StatusForbidden,
	cases.ENOTFOUND:     http.StatusNotFound,
	cases.ECONFLICT:     http.StatusConflict,
	cases.ENOTALLOWED:   http.StatusConflict,
	cases.EGONE:         http.StatusGone,
	cases.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	cases.EINVALID:      http.StatusUnprocessableEntity,
	cases.ETOOMANY:      http.StatusTooManyRequests,
	cases.EINTERNAL:     http.StatusInternalServerError,
	cases.ECANCELED:     499, // client closed the request (nginx's convention)
	cases.EUNAVAILABLE:  http.StatusServiceUnavailable,
}

// apiError is the JSON body of every error answer on /api/.
type apiError struct {
	Error struct {
		Code    string            `json:"code"`
		Message string            `json:"message"`
		Fields  map[string]string `json:"fields,omitempty"`
	} `json:"error"`
}

// errorBody translates err for the request's language. Internal errors are
// logged and never shown.
func (s *Server) errorBody(c *gin.Context, err error) (int, apiError) {
	lang := s.lang(c)
	var e *cases.Error
	switch {
	case errors.As(err, &e):
	case errors.Is(err, context.Canceled) && c.Request.Context().Err() != nil:
		// The client went away mid-request: nothing to report, nobody to tell.
		e = cases.Errorf(cases.ECANCELED, "canceled")
	default:
		s.Log.Error("internal error", "method", c.Request.Method, "path", c.FullPath(), "err", err)
		e = cases.Errorf(cases.EINTERNAL, "internal")
	}
	var body apiError
	body.Error.Code = e.Code
	body.Error.Message = s.i18n.T(lang, e.Message, e.Args...)
	if len(e.Fields) > 0 {
		body.Error.Fields = make(map[string]string, len(e.Fields))
		for _, f := range e.Fields {
			if _, seen := body.Error.Fields[f.Field]; !seen {
				body.Error.Fields[f.Field] = s.i18n.Field(lang, f)
			}
		}
	}
	status, ok := statusOf[e.Code]
	if !ok {
		status = http.StatusInternalServerError
	}
	return status, body
}

// fail answers an API request with err as JSON and stops the chain.
func (s *Server) fail(c *gin.Context, err error) {
	status, body := s.errorBody(c, err)
	if status == http.StatusTooManyRequests {
		c.Header("Retry-After", "900")
	}
	c.AbortWithStatusJSON(status, body)
}

// decodeJSON reads a JSON body into dst strictly: unknown fields, wrong types,
// trailing data and bodies over maxBody are refused with a domain error
// naming the field.
func decodeJSON(c *gin.Context, dst any) error {
	// Requiring the JSON type also stops cross-site HTML forms, which
	// cannot send it without a CORS preflight.
	if c.ContentType() != "application/json" {
		return cases.Errorf(cases.EBADREQUEST, "content_type_json")
	}
	dec := json.NewDecoder(http.MaxBytesReader(c.Writer, c.Request.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return jsonError(err)
		}
		return cases.Errorf(cases.EBADREQUEST, "malformed_json")
	}
	return nil
}

func jsonError(err error) error {
	var tooBig *http.MaxBytesError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &tooBig):
		return cases.Errorf(cases.ETOOLARGE, "too_large", "64 KiB")
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			return cases.Errorf(cases.EBADREQUEST, "malformed_json")
		}
		return cases.FieldInvalid(field, "type", jsonTypeName(typeErr.Type.Kind().String()))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return cases.FieldInvalid(field, "unknown_field", "")
	}
	return cases.Errorf(cases.EBADREQUEST, "malformed_json")
}

func jsonTypeName(kind string) string {
	switch kind {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "slice", "array":
		return "array"
	case "struct", "map", "ptr":
		return "object"
	}
	return "number"
}

// requestLog logs each request briefly, without query strings, which may
// hold search terms (names).
func requestLog(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Next()
		log.Info("request", "method", c.Request.Method, "route", c.FullPath(), "status", c.Writer.Status())
	}
}
