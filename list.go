package kessai

import "time"

// Order is the order of a list: oldest first or newest first.
type Order string

// The two list orders.
const (
	Chronological        Order = "chronological"
	ReverseChronological Order = "reverse_chronological"
)

// List sizes: the page size when none is asked for, and the largest page.
const (
	DefaultListLimit = 20
	MaxListLimit     = 100
)

// ListParams selects a page of a list: the objects created from From to To
// (both inclusive), in Order, skipping the first Offset, at most Limit.
type ListParams struct {
	From   time.Time
	To     time.Time
	Offset int
	Limit  int
	Order  Order
}

// List is the Omise List object: one page of a collection.
type List[T any] struct {
	Object string `json:"object"` // "list"
	From   Time   `json:"from"`
	To     Time   `json:"to"`
	Offset int    `json:"offset"`
	Limit  int    `json:"limit"`
	// Total counts every object from From to To, not only this page.
	Total    int    `json:"total"`
	Order    Order  `json:"order"`
	Location string `json:"location"`
	Data     []T    `json:"data"`
}

// NewList returns the List object for a page: data is the page selected by
// p, total the number of objects from p.From to p.To, location the
// collection's path (such as "/charges"). A nil data becomes an empty list.
func NewList[T any](location string, p ListParams, data []T, total int) *List[T] {
	if data == nil {
		data = []T{}
	}
	return &List[T]{
		Object:   "list",
		From:     Time{p.From},
		To:       Time{p.To},
		Offset:   p.Offset,
		Limit:    p.Limit,
		Total:    total,
		Order:    p.Order,
		Location: location,
		Data:     data,
	}
}
