package handlers

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

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
		s.Log.Error("internal error", "request_id", c.GetString(ctxRequestID), "method", c.Request.Method,
			"route", c.FullPath(), "err", err)
		e = cases.Errorf(cases.EINTERNAL, "internal")
	}
	var body apiError
	body.Error.Code = e.Code
	body.Error.Message = s.i18n.T(lang, e.Message, e.Args...)
	if len(e.Fields) > 0 {
		body.Error.Fields = make(map[string]string, len(e.Fields))
		for _, f := range e.Fields {
			if _, seen := body.Error.Fields[f.Field]; !seen {
				body.Error.Fields[f.Field] = s.i18n.Field(lang, resourceOf(c.Request.URL.Path), f)
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
	setRetryAfter(c, status, err)
	c.AbortWithStatusJSON(status, body)
}

// setRetryAfter tells a throttled or busy client when to try again.
func setRetryAfter(c *gin.Context, status int, err error) {
	var e *cases.Error
	switch {
	case errors.As(err, &e) && e.RetryAfter > 0:
		c.Header("Retry-After", strconv.Itoa(int(math.Ceil(e.RetryAfter.Seconds()))))
	case status == http.StatusTooManyRequests:
		c.Header("Retry-After", "900")
	case status == http.StatusServiceUnavailable:
		c.Header("Retry-After", "5")
	}
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

// ctxRequestID holds the request's id; logs and the X-Request-ID header carry it.
const ctxRequestID = "request_id"

// requestID gives every request an id of its own.
func requestID(c *gin.Context) {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	id := hex.EncodeToString(b)
	c.Set(ctxRequestID, id)
	c.Header("X-Request-ID", id)
	c.Next()
}

// requestLog logs each request briefly: its id, route (never the path or
// query string, which may hold ids and search terms such as names), status,
// duration and the user's id (never a name).
func requestLog(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		var user int64
		if sess := session(c); sess != nil {
			user = sess.User.ID
		}
		log.Info("request", "request_id", c.GetString(ctxRequestID), "method", c.Request.Method, "route", c.FullPath(),
			"status", c.Writer.Status(), "ms", time.Since(start).Milliseconds(), "user_id", user)
	}
}
