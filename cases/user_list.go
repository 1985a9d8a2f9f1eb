package cases

import "context"

// UserFilter is a page of the accounts an actor may see.
type UserFilter struct {
	Cursor string
	Limit  int // 0: UserPageSize.Default
}

// UserKey is an account's place in the list: by organisation, then username.
type UserKey struct {
	Organisation, Username string
}

// UserQuery is a page of accounts as the store reads it.
type UserQuery struct {
	OrganisationID int64 // 0: every organisation's
	After          *UserKey
	Limit          int
}

// UserResult is what the store found: up to Limit accounts after the key
// and how many there are in all.
type UserResult struct {
	Users []*User
	Total int
}

// UserList is one page of accounts.
type UserList struct {
	Users      []*User `json:"users"`
	NextCursor string  `json:"next_cursor,omitempty"`
	Total      int     `json:"total"`
	Offset     int     `json:"-"`
}

// List is a page of the accounts the actor may see (an administrator:
// all, by organisation; anyone else: the own organisation's), by username.
// A page size over the maximum or a foreign cursor is EINVALID naming it.
func (s *UserService) List(ctx context.Context, actor Actor, f UserFilter) (*UserList, error) {
	q := UserQuery{OrganisationID: actor.OrganisationID}
	if actor.Has(RoleAdmin) {
		q.OrganisationID = 0
	}
	limit, problems := UserPageSize.Of(f.Limit)
	cur, err := ParseCursor(f.Cursor, 2)
	if err == nil && cur != nil {
		q.After = &UserKey{Organisation: cur.Key[0], Username: cur.Key[1]}
	}
	if err := MergeInvalid(problems, err); err != nil {
		return nil, err
	}
	q.Limit = limit + 1 // one more tells whether a next page exists
	res, err := s.store.View(ctx).Users().FindUsers(ctx, q)
	if err != nil {
		return nil, err
	}
	list := &UserList{Users: res.Users, Total: res.Total, Offset: offsetOf(cur)}
	if list.Users == nil {
		list.Users = []*User{}
	}
	list.Users, list.NextCursor = pageOf(list.Users, limit, list.Offset, func(last *User) []string {
		return []string{last.OrganisationSlug, last.Username}
	})
	return list, nil
}
