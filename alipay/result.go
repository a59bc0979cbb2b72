package alipay

// ResultStatus is result.resultStatus: S, F or U
// (https://docs.antom.com/ac/ams/api_fund).
type ResultStatus string

const (
	StatusSuccess ResultStatus = "S" // the call succeeded
	StatusFailure ResultStatus = "F" // the call failed definitively; resultCode says why
	StatusUnknown ResultStatus = "U" // unknown or still processing: repeat the same request or inquire
)

// Result is the result object of every AMS response and notification.
// For an inquiry it says whether the inquiry worked, not how the payment
// ended. ResultMessage is for logs, never for logic.
type Result struct {
	ResultCode    string       `json:"resultCode"`
	ResultStatus  ResultStatus `json:"resultStatus"`
	ResultMessage string       `json:"resultMessage,omitempty"`
}

// Result codes of section 8 of the reference, by the APIs that return them.
const (
	CodeSuccess                       = "SUCCESS"
	CodePaymentInProcess              = "PAYMENT_IN_PROCESS"
	CodeUnknownException              = "UNKNOWN_EXCEPTION"
	CodeRequestTrafficExceedLimit     = "REQUEST_TRAFFIC_EXCEED_LIMIT"
	CodeInvalidPaymentCode            = "INVALID_PAYMENT_CODE"
	CodeInvalidCode                   = "INVALID_CODE"
	CodeExpiredCode                   = "EXPIRED_CODE"
	CodeUserPaymentVerificationFailed = "USER_PAYMENT_VERIFICATION_FAILED"
	CodeUserBalanceNotEnough          = "USER_BALANCE_NOT_ENOUGH"
	CodeUserAmountExceedLimit         = "USER_AMOUNT_EXCEED_LIMIT"
	CodePaymentAmountExceedLimit      = "PAYMENT_AMOUNT_EXCEED_LIMIT"
	CodePaymentCountExceedLimit       = "PAYMENT_COUNT_EXCEED_LIMIT"
	CodeUserStatusAbnormal            = "USER_STATUS_ABNORMAL"
	CodeUserKYCNotQualified           = "USER_KYC_NOT_QUALIFIED"
	CodeRiskReject                    = "RISK_REJECT"
	CodeFraudReject                   = "FRAUD_REJECT"
	CodeInvalidMerchantStatus         = "INVALID_MERCHANT_STATUS"
	CodeMerchantKYBNotQualified       = "MERCHANT_KYB_NOT_QUALIFIED"
	CodeMerchantNotRegistered         = "MERCHANT_NOT_REGISTERED"
	CodeInvalidContract               = "INVALID_CONTRACT"
	CodeSettleContractNotMatch        = "SETTLE_CONTRACT_NOT_MATCH"
	CodeCurrencyNotSupport            = "CURRENCY_NOT_SUPPORT"
	CodeOrderIsClosed                 = "ORDER_IS_CLOSED"
	CodeOrderIsCanceled               = "ORDER_IS_CANCELED"
	CodeRepeatReqInconsistent         = "REPEAT_REQ_INCONSISTENT"
	CodeParamIllegal                  = "PARAM_ILLEGAL"
	CodeProcessFail                   = "PROCESS_FAIL"
	CodeAccessDenied                  = "ACCESS_DENIED"
	CodeClientInvalid                 = "CLIENT_INVALID"
	CodeInvalidClient                 = "INVALID_CLIENT"
	CodeSignatureInvalid              = "SIGNATURE_INVALID"
	CodeInvalidSignature              = "INVALID_SIGNATURE"
	CodeKeyNotFound                   = "KEY_NOT_FOUND"
	CodeNoInterfaceDef                = "NO_INTERFACE_DEF"
	CodeInvalidAPI                    = "INVALID_API"
	CodeMethodNotSupported            = "METHOD_NOT_SUPPORTED"
	CodeMediaTypeNotAcceptable        = "MEDIA_TYPE_NOT_ACCEPTABLE"
	CodeOrderNotExist                 = "ORDER_NOT_EXIST"
	CodeCancelWindowExceed            = "CANCEL_WINDOW_EXCEED"
	CodeOrderStatusInvalid            = "ORDER_STATUS_INVALID"
	CodeRefundAmountExceed            = "REFUND_AMOUNT_EXCEED"
	CodeRefundWindowExceed            = "REFUND_WINDOW_EXCEED"
	CodeRecordNotFound                = "RECORD_NOT_FOUND"
	CodeRepeatRegistration            = "REPEAT_REGISTRATION"
)

// Payment and refund statuses reported by the inquiries.
const (
	PaymentStatusSuccess    = "SUCCESS"
	PaymentStatusFail       = "FAIL"
	PaymentStatusProcessing = "PROCESSING"
	PaymentStatusCancelled  = "CANCELLED"
	PaymentStatusPending    = "PENDING" // online variant only; treated as PROCESSING

	RefundStatusSuccess    = "SUCCESS"
	RefundStatusFail       = "FAIL"
	RefundStatusProcessing = "PROCESSING"
)
