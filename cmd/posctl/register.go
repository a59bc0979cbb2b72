package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/posd/posd/alipay"
	"github.com/posd/posd/internal/config"
)

// runRegister registers the merchant and its store with Alipay
// (https://docs.antom.com/ac/ams/registration) or, with --status, asks how
// that registration stands (https://docs.antom.com/ac/ams/irs). The
// referenceMerchantId and referenceStoreId that posd sends in every pay must
// be registered first. It talks to the gateway directly with the merchant
// key, so it works before posd is running. With --config it reads all it
// needs from posd's configuration; flags given override it.
func runRegister(args []string, s stdio) int {
	flags := newFlags("register", s)
	configPath := flags.String("config", "", "take the gateway, keys, pin, merchant and store from posd's configuration (/etc/posd/posd.toml); flags given override it")
	gw := addGatewayFlags(flags)
	merchantID := flags.String("merchant-id", "", "referenceMerchantId, as in posd.toml [merchant] id")
	merchantName := flags.String("merchant-name", "", "merchant display name")
	mcc := flags.String("mcc", "5812", "merchant category code, 4 digits")
	storeID := flags.String("store-id", "", "referenceStoreId, as in posd.toml [merchant] store_id")
	storeName := flags.String("store-name", "", "store name")
	requestID := flags.String("request-id", "", "registrationRequestId; default REG-<merchant-id>-<store-id>, so a repeat is idempotent")
	notifyURL := flags.String("notify-url", "", "registrationNotifyURL (optional)")
	status := flags.Bool("status", false, "inquire the registration status instead of registering")
	if code := parseFlags(flags, args); code >= 0 {
		return code
	}
	if *configPath != "" {
		cfg, err := config.Load(*configPath)
		if err != nil {
			return fail(s, "%s refused:\n%v", *configPath, err)
		}
		given := map[string]bool{}
		flags.Visit(func(f *flag.Flag) { given[f.Name] = true })
		storeNameFromConfig := cfg.Merchant.Store
		if storeNameFromConfig == "" {
			storeNameFromConfig = cfg.Merchant.Name // a shop with one store
		}
		for name, fill := range map[string]struct {
			dst *string
			val string
		}{
			"key": {gw.key, cfg.Alipay.PrivateKeyFile}, "alipay-pubkey": {gw.pub, cfg.Alipay.AlipayPublicKeyFile},
			"client-id": {gw.clientID, cfg.Alipay.ClientID}, "gateway": {gw.gateway, cfg.Alipay.Gateway},
			"path-prefix": {gw.prefix, cfg.Alipay.PathPrefix}, "pin-sha256": {gw.pin, cfg.Alipay.PinSHA256},
			"merchant-id": {merchantID, cfg.Merchant.ID}, "merchant-name": {merchantName, cfg.Merchant.Name},
			"mcc": {mcc, cfg.Merchant.MCC}, "store-id": {storeID, cfg.Merchant.StoreID}, "store-name": {storeName, storeNameFromConfig},
		} {
			if !given[name] {
				*fill.dst = fill.val
			}
		}
		if !given["key-version"] {
			*gw.keyVersion = cfg.Alipay.KeyVersion
		}
		gw.agentToken = cfg.Alipay.AgentToken
	}
	for _, name := range []string{"key", "alipay-pubkey", "client-id", "gateway", "merchant-id", "store-id"} {
		if flags.Lookup(name).Value.String() == "" {
			fmt.Fprintf(s.err, "posctl register: --%s is required (or --config naming posd's configuration)\n", name)
			return exitUsage
		}
	}
	if !*status && (*merchantName == "" || *storeName == "") {
		fmt.Fprintln(s.err, "posctl register: --merchant-name and --store-name are required to register")
		return exitUsage
	}
	client, err := gw.client()
	if err != nil {
		return fail(s, "%v", err)
	}
	defer client.Close()
	if *requestID == "" {
		*requestID = "REG-" + *merchantID + "-" + *storeID
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	if *status {
		resp, reply, err := client.InquiryRegistrationStatus(ctx, alipay.InquiryRegistrationStatusRequest{
			ReferenceMerchantID: *merchantID, ReferenceStoreID: *storeID, RegistrationRequestID: *requestID,
		})
		if code := reportReply(s, reply, err); code != exitOK {
			return code
		}
		if resp.RegistrationResult != nil {
			fmt.Fprintf(s.out, "registration  %s\n", resp.RegistrationResult.RegistrationStatus)
		}
		for _, p := range resp.PSPRegistrationResultList {
			fmt.Fprintf(s.out, "  %-12s %s\n", p.PSPName, p.RegistrationResult.RegistrationStatus)
		}
		return exitOK
	}

	store, err := json.Marshal(map[string]string{"referenceStoreId": *storeID, "storeName": *storeName, "storeMCC": *mcc})
	if err != nil {
		return fail(s, "%v", err)
	}
	_, reply, err := client.Registration(ctx, alipay.RegistrationRequest{
		RegistrationRequestID: *requestID,
		RegistrationNotifyURL: *notifyURL,
		MerchantInfo: alipay.MerchantRegistrationInfo{
			ReferenceMerchantID: *merchantID, MerchantDisplayName: *merchantName, MerchantMCC: *mcc,
		},
		ProductCodes: []string{alipay.ProductInStore},
		StoreInfo:    store,
	})
	if code := reportReply(s, reply, err); code != exitOK {
		return code
	}
	fmt.Fprintf(s.out, "registration %s accepted; it completes asynchronously: posctl register --status ... to follow it\n", *requestID)
	return exitOK
}

// reportReply prints what a call established and turns it into an exit status:
// only a verified S is success.
func reportReply(s stdio, reply alipay.Reply, err error) int {
	if errors.Is(err, alipay.ErrPinMismatch) {
		return fail(s, "%s: the gateway's TLS certificate does not match the pin (--pin-sha256, [alipay] pin_sha256); nothing was sent. "+
			"Set the pin to the gateway's certificate fingerprint, or leave it empty for Alipay: %v", reply.API, err)
	}
	if err != nil && !reply.Verified {
		return fail(s, "%s: %v (outcome %s)", reply.API, err, reply.Outcome)
	}
	fmt.Fprintf(s.out, "result        %s %s %s\n", reply.Result.ResultStatus, reply.Result.ResultCode, strings.TrimSpace(reply.Result.ResultMessage))
	if reply.Result.ResultStatus != alipay.StatusSuccess {
		return exitFail
	}
	return exitOK
}

// gatewayFlags are what a direct call to the gateway needs.
type gatewayFlags struct {
	key, pub, clientID, gateway, prefix, pin *string
	keyVersion                               *int
	agentToken                               string // from --config only
}

func addGatewayFlags(fs *flag.FlagSet) gatewayFlags {
	return gatewayFlags{
		key:        fs.String("key", "", "merchant private key file (PKCS#8/PKCS#1 PEM or base64), mode 0600"),
		pub:        fs.String("alipay-pubkey", "", "Alipay's public key file (SPKI base64 or PEM)"),
		clientID:   fs.String("client-id", "", "client id from the Antom dashboard"),
		gateway:    fs.String("gateway", "", "gateway base URL, e.g. "+alipay.HostAsia),
		prefix:     fs.String("path-prefix", "", "/ams/api or /ams/sandbox/api; default from the client id"),
		pin:        fs.String("pin-sha256", "", "certificate fingerprint, for amssim's self-signed certificate only"),
		keyVersion: fs.Int("key-version", 1, "keyVersion of the merchant key"),
	}
}

func (g gatewayFlags) client() (*alipay.Client, error) {
	priv, err := alipay.LoadPrivateKey(*g.key)
	if err != nil {
		return nil, err
	}
	pub, err := alipay.LoadPublicKey(*g.pub)
	if err != nil {
		return nil, err
	}
	if err := alipay.CheckKeyPair(priv, pub); err != nil {
		return nil, err
	}
	return alipay.NewClient(alipay.Config{
		ClientID: *g.clientID, PrivateKey: priv, PlatformPublicKey: pub, KeyVersion: *g.keyVersion,
		BaseURL: *g.gateway, PathPrefix: *g.prefix, PinSHA256: *g.pin, AgentToken: g.agentToken,
	})
}
