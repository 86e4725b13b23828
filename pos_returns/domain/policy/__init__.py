"""The store's return policy: load ``policies.toml``, validate it whole, build immutable rules.

A policy with any error is never used: :func:`load_policy` raises :class:`PolicyError` carrying every
problem found, each as ``FILE:LINE: key.path: message``. The file's language is described in
``docs/policy-language.md`` and, by example, in the commented ``policies.toml``.

- :mod:`.model`: the rules and the :class:`Policy` (immutable);
- :mod:`.values`: :class:`PolicyChecker` (the shared validator, TOML wording) and the typed value reads;
- :mod:`.build`: the builder, one step per table;
- :mod:`.load`: file -> TOML -> checked policy, or :class:`PolicyError`.
"""

from pos_returns.domain.policy.build import COMMON_KEYS, SCOPE_KEYS
from pos_returns.domain.policy.load import MAX_TOML_DEPTH, PolicyError, load_policy, parse_policy
from pos_returns.domain.policy.model import (CONDITIONS, MAX_DAYS, REMEDIES, TENDERS, ApprovalRule, ConditionRule,
                                                 FeeRule, GiftReceiptRule, MailedCheckRule, NoReceiptRule,
                                                 NotReturnableRule, Policy, PolicyRule, PolicyVersion, PromotionRule, Scope,
                                                 SeasonalRule, SerialRule, StoreProfile, TenderRule, WarrantyRule,
                                                 WindowRule)
from pos_returns.domain.policy.model import CustomerLimitRule, ExchangeOnlyRule, PhotoIdRule, StoreCreditOnlyRule
from pos_returns.domain.policy.model import ChainProfile, MonthDay, TierProfile
from pos_returns.domain.validate import Problem

__all__ = ["COMMON_KEYS", "CONDITIONS", "MAX_DAYS", "MAX_TOML_DEPTH", "REMEDIES", "SCOPE_KEYS", "TENDERS",
           "ApprovalRule", "ConditionRule", "FeeRule", "GiftReceiptRule", "MailedCheckRule", "NoReceiptRule",
           "NotReturnableRule", "Policy", "PolicyError", "PolicyRule", "PolicyVersion", "Problem", "PromotionRule", "Scope",
           "SeasonalRule", "SerialRule", "StoreProfile", "TenderRule", "WarrantyRule", "WindowRule", "load_policy",
           "ChainProfile", "MonthDay", "TierProfile",
           "parse_policy", "CustomerLimitRule", "ExchangeOnlyRule", "PhotoIdRule", "StoreCreditOnlyRule"]
