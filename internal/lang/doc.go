// Package lang is posd's one message catalog: every text a customer,
// cashier or manager reads, in zh-CN, zh-TW and en. It is a map and
// fmt's verbs: golang.org/x/text/message, which did this before, brought
// locale tables for every language into posd (0.33 MB of the ARMv7 binary)
// and grouped digits in numbers that are not amounts ("Z REPORT 1,024").
//
// Keys are the English texts, so code reads as what an English-speaking
// cashier sees and English needs no second table. A text that is not in
// the catalog (a merchant name, a message from elsewhere) is returned as it
// is, never used as a format string.
//
// Result codes become words here too (Words): the raw AMS code stays in the
// logs, posctl show and exports; people read the words.
package lang
