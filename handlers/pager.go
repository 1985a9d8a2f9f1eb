package handlers

import (
	"net/url"

	"github.com/gin-gonic/gin"
)

// pager is what a paged list shows under its rows: "51–100 van 250" and,
// unless this is the last page, "Meer laden", a link to the next page
// (web/static/pages.js appends that page's rows instead of leaving).
type pager struct {
	ID              string // the element holding the rows
	From, To, Total int
	Next            string // the next page's URL; "" on the last page
}

// pagerOf is the pager of a page of n rows after offset others; the next
// page is this URL with param set to the cursor.
func pagerOf(c *gin.Context, id, param string, offset, n, total int, cursor string) pager {
	p := pager{ID: id, From: offset + 1, To: offset + n, Total: total}
	if n == 0 {
		p.From = offset
	}
	if cursor != "" {
		p.Next = withParam(c.Request.URL.Path, c.Request.URL.Query(), param, cursor)
	}
	return p
}

// withParam is path with query, param set to value.
func withParam(path string, query url.Values, param, value string) string {
	v := url.Values{}
	for k, vs := range query {
		v[k] = vs
	}
	v.Set(param, value)
	return path + "?" + v.Encode()
}
