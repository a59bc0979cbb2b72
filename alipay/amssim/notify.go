package amssim

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/posd/posd/alipay"
	"github.com/posd/posd/money"
)

// NotifySchedule is the wait before each notification attempt: the first
// at once, then 2 min, 10 min, 10 min, 1 h, 2 h, 6 h and 15 h after the
// previous one, divided by the time scale (https://docs.antom.com/ac/ams/nrs;
// reference §8.10 assumes notifyPayment follows it too).
func NotifySchedule() []time.Duration {
	return []time.Duration{0, 2 * time.Minute, 10 * time.Minute, 10 * time.Minute,
		time.Hour, 2 * time.Hour, 6 * time.Hour, 15 * time.Hour}
}

// Delivery is the state of one notification.
type Delivery struct {
	URL       string    `json:"url"`
	ClientID  string    `json:"clientId"`
	Attempts  int       `json:"attempts"`
	NextAt    time.Time `json:"nextAt,omitzero"`
	Acked     bool      `json:"acked"`
	GaveUp    bool      `json:"gaveUp"`
	LastError string    `json:"lastError,omitempty"`
	inFlight  bool
}

func (d *Delivery) pending() bool { return !d.Acked && !d.GaveUp && !d.inFlight }

// record notes how an attempt ended and schedules the next one.
func (d *Delivery) record(err error, now time.Time, scaled func(time.Duration) time.Duration) {
	d.inFlight = false
	d.Attempts++
	if err == nil {
		d.Acked, d.LastError, d.NextAt = true, "", time.Time{}
		return
	}
	d.LastError = err.Error()
	schedule := NotifySchedule()
	if d.Attempts >= len(schedule) {
		d.GaveUp, d.NextAt = true, time.Time{}
		return
	}
	d.NextAt = now.Add(scaled(schedule[d.Attempts]))
}

// notifyPaymentBody is the body of notifyPayment (https://docs.antom.com/ac/ams/paymentrn).
type notifyPaymentBody struct {
	NotifyType       string                  `json:"notifyType"`
	Result           alipay.Result           `json:"result"`
	PaymentRequestID string                  `json:"paymentRequestId"`
	PaymentID        string                  `json:"paymentId"`
	PaymentAmount    money.Amount            `json:"paymentAmount"`
	PaymentCreate    alipay.Time             `json:"paymentCreateTime,omitzero"`
	PaymentTime      alipay.Time             `json:"paymentTime,omitzero"`
	PSPCustomerInfo  *alipay.PSPCustomerInfo `json:"pspCustomerInfo,omitempty"`
}

// paymentNotification is sent when a payment becomes SUCCESS or FAIL:
// result S for success, F with the failure code otherwise.
func paymentNotification(p *payment) json.RawMessage {
	n := notifyPaymentBody{
		NotifyType:       alipay.NotifyTypePaymentResult,
		Result:           resultSuccess,
		PaymentRequestID: p.PaymentRequestID,
		PaymentID:        p.PaymentID,
		PaymentAmount:    p.Amount,
		PaymentCreate:    alipay.NewTime(p.CreatedAt),
		PaymentTime:      alipay.NewTime(p.FinishedAt),
	}
	if p.Status == StatusSuccess {
		n.PSPCustomerInfo = customerInfo()
	} else {
		n.Result = fail(p.ResultCode, "payment failed")
	}
	return mustEncode(n)
}

type notifyRegistrationBody struct {
	Result                    alipay.Result                  `json:"result"`
	ReferenceMerchantID       string                         `json:"referenceMerchantId"`
	RegistrationRequestID     string                         `json:"registrationRequestId"`
	ReferenceStoreID          string                         `json:"referenceStoreId,omitempty"`
	RegistrationResult        alipay.RegistrationResult      `json:"registrationResult"`
	PSPRegistrationResultList []alipay.PSPRegistrationResult `json:"pspRegistrationResultList"`
}

// registrationNotification is notifyRegistrationStatus (https://docs.antom.com/ac/ams/nrs).
func registrationNotification(r *registration) json.RawMessage {
	overall, psp := registrationResults(r)
	return mustEncode(notifyRegistrationBody{
		Result:                    resultSuccess,
		ReferenceMerchantID:       r.ReferenceMerchantID,
		RegistrationRequestID:     r.RegistrationRequestID,
		ReferenceStoreID:          r.ReferenceStoreID,
		RegistrationResult:        overall,
		PSPRegistrationResultList: psp,
	})
}

// customerInfo is the (fictional) wallet and masked buyer of a paid payment.
func customerInfo() *alipay.PSPCustomerInfo {
	return &alipay.PSPCustomerInfo{PSPName: pspName, PSPCustomerID: "2088000000000001", DisplayCustomerID: "138****0001"}
}

// notifyTimeLayout is the Request-Time of notifications: ISO 8601 with
// milliseconds, as in the platform's sample (reference §2.5).
const notifyTimeLayout = "2006-01-02T15:04:05.000-07:00"

// post sends one signed notification and checks the acknowledgement: HTTP
// 200 and a result of SUCCESS/S, as in the fixed body.
func post(ctx context.Context, client *http.Client, signer *alipay.Signer, d Delivery, body []byte, now time.Time) error {
	u, err := url.Parse(d.URL)
	if err != nil {
		return fmt.Errorf("notify URL: %w", err)
	}
	requestTime := now.Format(notifyTimeLayout)
	sig, err := signer.Sign(http.MethodPost, u.EscapedPath(), d.ClientID, requestTime, body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json; charset=UTF-8")
	req.Header.Set("Client-Id", d.ClientID)
	req.Header.Set("Request-Time", requestTime)
	req.Header.Set("Signature", sig)
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	var ack struct{ Result alipay.Result }
	if json.Unmarshal(data, &ack) != nil || ack.Result.ResultCode != alipay.CodeSuccess || ack.Result.ResultStatus != alipay.StatusSuccess {
		return errNotAcked
	}
	return nil
}

// mustEncode serialises the simulator's own reply structs, which always
// encode (no channels, funcs or cycles); the panic guards a programming
// error in this package, never input.
func mustEncode(v any) json.RawMessage {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(fmt.Sprintf("amssim: encode %T: %v", v, err))
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}
