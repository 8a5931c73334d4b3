"""ISO 4217 currency codes, which OpenRTB 2.6 prescribes for ``BidRequest.cur`` and the
``bidfloorcur`` of ``Imp`` and ``Deal`` ("ISO-4217 alpha codes").

The alphabetic codes of ISO 4217 "Codes for the representation of currencies" (edition
ISO 4217:2015), Table A.1 ("List One": current currencies and funds), as published by its
maintenance agency SIX on 2026-01-01 (through Amendment 180, which withdrew BGN when Bulgaria
adopted the euro). Withdrawn codes (Table A.3, e.g. HRK, SLL, ZWL, ANG) are not included.
"""

from __future__ import annotations

# Table A.1's alphabetic codes in alphabetical order, as in the published list.
_LIST_ONE = """
AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BHD BIF BMD BND BOB BOV BRL BSD
BTN BWP BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUP CVE CZK DJF DKK
DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF
IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP
LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD
NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD
SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD
TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAD XAF XAG XAU XBA
XBB XBC XBD XCD XCG XDR XOF XPD XPF XPT XSU XTS XUA XXX YER ZAR ZMW ZWG
"""

CURRENCY_CODES: frozenset[str] = frozenset(_LIST_ONE.split())
