// Package money is exact money: an Amount is a whole number of a
// currency's minor units (cents for USD, yen for JPY), never a float, and
// a Currency is an active ISO 4217 code with its exponent. Amounts parse
// the way a cashier types them and print the way a receipt shows them;
// their JSON form is the one Alipay's AMS uses,
// {"currency":"USD","value":"1234"} (https://docs.antom.com/ac/ref/cc).
//
// It is a leaf: the cashier flow, the displays and the printer use it
// without the AMS client.
package money
