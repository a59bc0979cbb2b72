// Package alipay is posd's only way to move money: it signs, sends and
// verifies the Alipay AMS in-store calls (pay, inquiryPayment, cancel,
// refund, inquiryRefund and the merchant registration calls), and keeps
// money exact as integer minor units of an ISO 4217 currency (Amount).
//
// The protocol is described in ../shared/docs/alipay-ams-instore.md and on
// https://docs.antom.com/ac/ams.
package alipay
