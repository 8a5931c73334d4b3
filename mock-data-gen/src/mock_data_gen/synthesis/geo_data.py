"""Geographic reference data: markets (a country and one of its time zones) and their cities.

Sources and realism notes:
- ``share``: rough share of global open-programmatic bid volume per market (public SSP
  transparency reports and ad-spend rankings); the generator normalises the weights.
- ``floor_mult``: typical CPM level relative to the US (display CPM indices published by
  SSPs/ad networks: Western Europe ~0.6-0.8x, Latin America and India ~0.1-0.3x).
- Cities: population-weighted major metros with real coordinates; ``locode`` is the UN/LOCODE
  (country + 3-letter location, the form OpenRTB 2.6 §3.2.19 asks for in ``geo.city``); ``region``
  is the ISO 3166-2 subdivision code without the country prefix ("CA", "BY", "IDF"), which for the
  USA is the 2-letter state code the spec asks for; ``metro`` is the Google metro code (equal to
  the Nielsen DMA number), US only; ``zips`` are real postal-code prefixes of the city.
- Access operators, their addresses, carriers and MCC-MNCs come from ``networks``.
"""

from __future__ import annotations

from typing import Final, NamedTuple


class City(NamedTuple):
    name: str
    locode: str
    region: str
    lat: float
    lon: float
    weight: float
    metro: str | None
    zips: tuple[str, ...]


class Market(NamedTuple):
    key: str
    country: str  # ISO-3166-1 alpha-3
    alpha2: str
    tz: str
    share: float
    floor_mult: float
    regime: str  # "gdpr", "us" or "none": which privacy signals apply
    languages: tuple[tuple[str, float], ...]
    faker_locale: str
    dooh: bool
    cities: tuple[City, ...]


def _c(
    name: str,
    locode: str,
    region: str,
    lat: float,
    lon: float,
    weight: float,
    zips: tuple[str, ...],
    metro: str | None = None,
) -> City:
    return City(name, locode, region, lat, lon, weight, metro, zips)


_US_EN = (("en", 0.87), ("es", 0.13))


# fmt: off
MARKETS: Final[tuple[Market, ...]] = (
    Market("US-E", "USA", "US", "America/New_York", 17.5, 1.0, "us", _US_EN, "en_US",
           True, (
               _c("New York", "USNYC", "NY", 40.7128, -74.0060, 19.8, ("100", "101", "112", "113", "104"), "501"),
               _c("Philadelphia", "USPHL", "PA", 39.9526, -75.1652, 6.2, ("191",), "504"),
               _c("Washington", "USWAS", "DC", 38.9072, -77.0369, 6.3, ("200",), "511"),
               _c("Boston", "USBOS", "MA", 42.3601, -71.0589, 4.9, ("021", "022"), "506"),
               _c("Atlanta", "USATL", "GA", 33.7490, -84.3880, 6.2, ("303",), "524"),
               _c("Miami", "USMIA", "FL", 25.7617, -80.1918, 6.1, ("331", "332"), "528"),
               _c("Tampa", "USTPA", "FL", 27.9506, -82.4572, 3.2, ("336",), "539"),
               _c("Orlando", "USORL", "FL", 28.5383, -81.3792, 2.7, ("328",), "534"),
               _c("Detroit", "USDET", "MI", 42.3314, -83.0458, 4.3, ("482",), "505"),
               _c("Charlotte", "USCLT", "NC", 35.2271, -80.8431, 2.7, ("282",), "517"),
               _c("Pittsburgh", "USPIT", "PA", 40.4406, -79.9959, 2.4, ("152",), "508"),
               _c("Columbus", "USCMH", "OH", 39.9612, -82.9988, 2.1, ("432",), "535"),
               _c("Indianapolis", "USIND", "IN", 39.7684, -86.1581, 2.1, ("462",), "527"),
           )),
    Market("US-C", "USA", "US", "America/Chicago", 10.5, 1.0, "us", _US_EN, "en_US",
           True, (
               _c("Chicago", "USCHI", "IL", 41.8781, -87.6298, 9.5, ("606", "607"), "602"),
               _c("Dallas", "USDAL", "TX", 32.7767, -96.7970, 7.6, ("752", "753"), "623"),
               _c("Houston", "USHOU", "TX", 29.7604, -95.3698, 7.1, ("770", "772"), "618"),
               _c("Minneapolis", "USMES", "MN", 44.9778, -93.2650, 3.7, ("554",), "613"),
               _c("Saint Louis", "USSTL", "MO", 38.6270, -90.1994, 2.8, ("631",), "609"),
               _c("Nashville", "USBNA", "TN", 36.1627, -86.7816, 2.0, ("372",), "659"),
               _c("San Antonio", "USSAT", "TX", 29.4241, -98.4936, 2.6, ("782",), "641"),
               _c("Kansas City", "USMKC", "MO", 39.0997, -94.5786, 2.2, ("641",), "616"),
               _c("Austin", "USAUS", "TX", 30.2672, -97.7431, 2.4, ("787",), "635"),
           )),
    Market("US-M", "USA", "US", "America/Denver", 2.2, 1.0, "us", _US_EN, "en_US",
           False, (
               _c("Denver", "USDEN", "CO", 39.7392, -104.9903, 3.0, ("802",), "751"),
               _c("Salt Lake City", "USSLC", "UT", 40.7608, -111.8910, 1.3, ("841",), "770"),
           )),
    Market("US-AZ", "USA", "US", "America/Phoenix", 1.6, 1.0, "us", _US_EN, "en_US",
           False, (
               _c("Phoenix", "USPHX", "AZ", 33.4484, -112.0740, 5.0, ("850", "852"), "753"),
           )),
    Market("US-P", "USA", "US", "America/Los_Angeles", 7.2, 1.0, "us", _US_EN, "en_US",
           True, (
               _c("Los Angeles", "USLAX", "CA", 34.0522, -118.2437, 13.0, ("900", "902", "910", "913"), "803"),
               _c("San Francisco", "USSFO", "CA", 37.7749, -122.4194, 6.7, ("941", "945", "951"), "807"),
               _c("Seattle", "USSEA", "WA", 47.6062, -122.3321, 4.0, ("981",), "819"),
               _c("San Diego", "USSAN", "CA", 32.7157, -117.1611, 3.3, ("921",), "825"),
               _c("Portland", "USPDX", "OR", 45.5152, -122.6784, 2.5, ("972",), "820"),
               _c("Las Vegas", "USLAS", "NV", 36.1699, -115.1398, 2.3, ("891",), "839"),
           )),
    Market("CA-E", "CAN", "CA", "America/Toronto", 2.6, 0.75, "none",
           (("en", 0.72), ("fr", 0.28)), "en_CA", True, (
               _c("Toronto", "CATOR", "ON", 43.6532, -79.3832, 6.2, ("M5V", "M4C", "M6H", "L5B")),
               _c("Montreal", "CAMTR", "QC", 45.5017, -73.5673, 4.3, ("H2X", "H3B", "H4A")),
               _c("Ottawa", "CAOTT", "ON", 45.4215, -75.6972, 1.4, ("K1P", "K2P")),
           )),
    Market("CA-W", "CAN", "CA", "America/Vancouver", 0.9, 0.75, "none",
           (("en", 1.0),), "en_CA", False, (
               _c("Vancouver", "CAVAN", "BC", 49.2827, -123.1207, 2.6, ("V5K", "V6B", "V6Z")),
           )),
    Market("MX", "MEX", "MX", "America/Mexico_City", 2.8, 0.25, "none",
           (("es", 1.0),), "es_MX",
           False, (
               _c("Mexico City", "MXMEX", "CMX", 19.4326, -99.1332, 21.8, ("010", "030", "064", "113")),
               _c("Guadalajara", "MXGDL", "JAL", 20.6597, -103.3496, 5.3, ("441", "443")),
               _c("Monterrey", "MXMTY", "NLE", 25.6866, -100.3161, 5.3, ("640", "646")),
               _c("Puebla", "MXPBC", "PUE", 19.0414, -98.2063, 3.2, ("720", "725")),
           )),
    Market("BR", "BRA", "BR", "America/Sao_Paulo", 5.5, 0.22, "none",
           (("pt", 1.0),), "pt_BR",
           True, (
               _c("Sao Paulo", "BRSAO", "SP", -23.5505, -46.6333, 22.0, ("01310", "04538", "05424")),
               _c("Rio de Janeiro", "BRRIO", "RJ", -22.9068, -43.1729, 13.5, ("20040", "22021", "22250")),
               _c("Belo Horizonte", "BRBHZ", "MG", -19.9167, -43.9345, 6.0, ("30130", "30140")),
               _c("Brasilia", "BRBSB", "DF", -15.7939, -47.8828, 4.8, ("70040", "70390")),
               _c("Porto Alegre", "BRPOA", "RS", -30.0346, -51.2177, 4.3, ("90010", "90560")),
               _c("Recife", "BRREC", "PE", -8.0476, -34.8770, 4.1, ("50030", "51020")),
           )),
    Market("AR", "ARG", "AR", "America/Argentina/Buenos_Aires", 1.3, 0.15, "none",
           (("es", 1.0),), "es_AR",
           False, (
               _c("Buenos Aires", "ARBUE", "C", -34.6037, -58.3816, 15.0, ("1001", "1043", "1425")),
               _c("Cordoba", "ARCOR", "X", -31.4201, -64.1888, 1.6, ("5000", "5009")),
               _c("Rosario", "ARROS", "S", -32.9442, -60.6505, 1.3, ("2000", "2002")),
           )),
    Market("GB", "GBR", "GB", "Europe/London", 6.0, 0.8, "gdpr", (("en", 1.0),), "en_GB",
           True, (
               _c("London", "GBLON", "ENG", 51.5072, -0.1276, 14.0, ("SW1A", "E1", "N1", "SE1", "W2", "NW3")),
               _c("Manchester", "GBMNC", "ENG", 53.4808, -2.2426, 2.8, ("M1", "M3", "M14")),
               _c("Birmingham", "GBBHM", "ENG", 52.4862, -1.8904, 2.9, ("B1", "B5", "B15")),
               _c("Glasgow", "GBGLW", "SCT", 55.8642, -4.2518, 1.7, ("G1", "G2", "G12")),
               _c("Edinburgh", "GBEDI", "SCT", 55.9533, -3.1883, 0.9, ("EH1", "EH3")),
               _c("Cardiff", "GBCDF", "WLS", 51.4816, -3.1791, 0.5, ("CF10", "CF24")),
           )),
    Market("DE", "DEU", "DE", "Europe/Berlin", 5.0, 0.75, "gdpr", (("de", 0.94), ("en", 0.06)), "de_DE",
           True, (
               _c("Berlin", "DEBER", "BE", 52.5200, 13.4050, 3.7, ("10115", "10245", "12043", "13353")),
               _c("Hamburg", "DEHAM", "HH", 53.5511, 9.9937, 1.9, ("20095", "22767")),
               _c("Munich", "DEMUC", "BY", 48.1351, 11.5820, 1.5, ("80331", "81369")),
               _c("Cologne", "DECGN", "NW", 50.9375, 6.9603, 1.1, ("50667", "50933")),
               _c("Frankfurt", "DEFRA", "HE", 50.1109, 8.6821, 0.8, ("60311", "60594")),
               _c("Stuttgart", "DESTR", "BW", 48.7758, 9.1829, 0.6, ("70173", "70469")),
               _c("Dusseldorf", "DEDUS", "NW", 51.2277, 6.7735, 0.6, ("40210", "40474")),
               _c("Leipzig", "DELEJ", "SN", 51.3397, 12.3731, 0.6, ("04109", "04277")),
           )),
    Market("FR", "FRA", "FR", "Europe/Paris", 4.0, 0.6, "gdpr", (("fr", 1.0),), "fr_FR",
           True, (
               _c("Paris", "FRPAR", "IDF", 48.8566, 2.3522, 11.0, ("75001", "75011", "75015", "75018", "92100")),
               _c("Marseille", "FRMRS", "PAC", 43.2965, 5.3698, 1.9, ("13001", "13008")),
               _c("Lyon", "FRLIO", "ARA", 45.7640, 4.8357, 2.3, ("69001", "69003", "69007")),
               _c("Toulouse", "FRTLS", "OCC", 43.6047, 1.4442, 1.4, ("31000", "31400")),
               _c("Nice", "FRNCE", "PAC", 43.7102, 7.2620, 1.0, ("06000", "06300")),
               _c("Bordeaux", "FRBOD", "NAQ", 44.8378, -0.5792, 1.2, ("33000", "33800")),
               _c("Lille", "FRLLE", "HDF", 50.6292, 3.0573, 1.2, ("59000", "59800")),
           )),
    Market("IT", "ITA", "IT", "Europe/Rome", 2.8, 0.5, "gdpr", (("it", 1.0),), "it_IT",
           True, (
               _c("Rome", "ITROM", "62", 41.9028, 12.4964, 4.3, ("00118", "00153", "00185")),
               _c("Milan", "ITMIL", "25", 45.4642, 9.1900, 3.2, ("20121", "20135", "20154")),
               _c("Naples", "ITNAP", "72", 40.8518, 14.2681, 3.0, ("80121", "80138")),
               _c("Turin", "ITTRN", "21", 45.0703, 7.6869, 1.7, ("10121", "10138")),
               _c("Bologna", "ITBLQ", "45", 44.4949, 11.3426, 1.0, ("40121", "40138")),
               _c("Florence", "ITFLR", "52", 43.7696, 11.2558, 1.0, ("50121", "50136")),
           )),
    Market("ES", "ESP", "ES", "Europe/Madrid", 2.8, 0.5, "gdpr", (("es", 0.9), ("ca", 0.1)), "es_ES",
           True, (
               _c("Madrid", "ESMAD", "MD", 40.4168, -3.7038, 6.7, ("28001", "28013", "28045")),
               _c("Barcelona", "ESBCN", "CT", 41.3874, 2.1686, 5.6, ("08001", "08013", "08028")),
               _c("Valencia", "ESVLC", "VC", 39.4699, -0.3763, 1.6, ("46001", "46022")),
               _c("Seville", "ESSVQ", "AN", 37.3891, -5.9845, 1.5, ("41001", "41013")),
               _c("Bilbao", "ESBIO", "PV", 43.2630, -2.9350, 1.0, ("48001", "48014")),
               _c("Malaga", "ESAGP", "AN", 36.7213, -4.4214, 1.0, ("29001", "29016")),
           )),
    Market("NL", "NLD", "NL", "Europe/Amsterdam", 1.5, 0.65, "gdpr", (("nl", 0.9), ("en", 0.1)), "nl_NL",
           True, (
               _c("Amsterdam", "NLAMS", "NH", 52.3676, 4.9041, 2.5, ("1011", "1017", "1054")),
               _c("Rotterdam", "NLRTM", "ZH", 51.9244, 4.4777, 1.8, ("3011", "3021")),
               _c("The Hague", "NLHAG", "ZH", 52.0705, 4.3007, 1.3, ("2511", "2582")),
               _c("Utrecht", "NLUTC", "UT", 52.0907, 5.1214, 0.9, ("3511", "3581")),
               _c("Eindhoven", "NLEIN", "NB", 51.4416, 5.4697, 0.8, ("5611", "5622")),
           )),
    Market("SE", "SWE", "SE", "Europe/Stockholm", 1.0, 0.6, "gdpr", (("sv", 0.92), ("en", 0.08)), "sv_SE",
           False, (
               _c("Stockholm", "SESTO", "AB", 59.3293, 18.0686, 2.4, ("111", "113", "118")),
               _c("Gothenburg", "SEGOT", "O", 57.7089, 11.9746, 1.1, ("411", "413")),
               _c("Malmo", "SEMMA", "M", 55.6050, 13.0038, 0.7, ("211", "214")),
           )),
    Market("PL", "POL", "PL", "Europe/Warsaw", 1.5, 0.3, "gdpr", (("pl", 1.0),), "pl_PL",
           False, (
               _c("Warsaw", "PLWAW", "14", 52.2297, 21.0122, 3.1, ("00-", "01-", "02-")),
               _c("Krakow", "PLKRK", "12", 50.0647, 19.9450, 1.5, ("30-", "31-")),
               _c("Wroclaw", "PLWRO", "02", 51.1079, 17.0385, 1.2, ("50-", "53-")),
               _c("Gdansk", "PLGDN", "22", 54.3520, 18.6466, 1.1, ("80-",)),
               _c("Poznan", "PLPOZ", "30", 52.4064, 16.9252, 1.0, ("60-", "61-")),
           )),
    Market("IN", "IND", "IN", "Asia/Kolkata", 7.0, 0.1, "none", (("en", 0.55), ("hi", 0.45)), "en_IN",
           False, (
               _c("Mumbai", "INBOM", "MH", 19.0760, 72.8777, 20.0, ("400001", "400050", "400076")),
               _c("Delhi", "INDEL", "DL", 28.7041, 77.1025, 19.0, ("110001", "110017", "110085")),
               _c("Bengaluru", "INBLR", "KA", 12.9716, 77.5946, 12.0, ("560001", "560034", "560103")),
               _c("Chennai", "INMAA", "TN", 13.0827, 80.2707, 10.0, ("600001", "600040")),
               _c("Kolkata", "INCCU", "WB", 22.5726, 88.3639, 14.0, ("700001", "700091")),
               _c("Hyderabad", "INHYD", "TG", 17.3850, 78.4867, 9.0, ("500001", "500081")),
               _c("Pune", "INPNQ", "MH", 18.5204, 73.8567, 6.0, ("411001", "411057")),
           )),
    Market("ID", "IDN", "ID", "Asia/Jakarta", 3.0, 0.1, "none", (("id", 1.0),), "id_ID",
           False, (
               _c("Jakarta", "IDJKT", "JK", -6.2088, 106.8456, 10.6, ("101", "121", "128")),
               _c("Surabaya", "IDSUB", "JI", -7.2575, 112.7521, 3.0, ("601", "602")),
               _c("Bandung", "IDBDO", "JB", -6.9175, 107.6191, 2.5, ("401", "402")),
               _c("Medan", "IDMES", "SU", 3.5952, 98.6722, 2.4, ("201", "202")),
           )),
    Market("JP", "JPN", "JP", "Asia/Tokyo", 4.5, 0.7, "none", (("ja", 1.0),), "ja_JP",
           True, (
               _c("Tokyo", "JPTYO", "13", 35.6762, 139.6503, 14.0, ("100-", "105-", "150-", "160-")),
               _c("Osaka", "JPOSA", "27", 34.6937, 135.5023, 2.7, ("530-", "542-")),
               _c("Yokohama", "JPYOK", "14", 35.4437, 139.6380, 3.8, ("220-", "231-")),
               _c("Nagoya", "JPNGO", "23", 35.1815, 136.9066, 2.3, ("450-", "460-")),
               _c("Sapporo", "JPSPK", "01", 43.0618, 141.3545, 2.0, ("060-", "064-")),
               _c("Fukuoka", "JPFUK", "40", 33.5904, 130.4017, 1.6, ("810-", "812-")),
           )),
    Market("AU-E", "AUS", "AU", "Australia/Sydney", 1.8, 0.8, "none", (("en", 1.0),), "en_AU",
           True, (
               _c("Sydney", "AUSYD", "NSW", -33.8688, 151.2093, 5.3, ("2000", "2010", "2060")),
               _c("Melbourne", "AUMEL", "VIC", -37.8136, 144.9631, 5.1, ("3000", "3121", "3182")),
           )),
    Market("AU-Q", "AUS", "AU", "Australia/Brisbane", 0.5, 0.8, "none", (("en", 1.0),), "en_AU",
           False, (
               _c("Brisbane", "AUBNE", "QLD", -27.4698, 153.0251, 2.6, ("4000", "4101")),
           )),
    Market("AU-W", "AUS", "AU", "Australia/Perth", 0.4, 0.8, "none", (("en", 1.0),), "en_AU",
           False, (
               _c("Perth", "AUPER", "WA", -31.9505, 115.8605, 2.1, ("6000", "6050")),
           )),
    Market("ZA", "ZAF", "ZA", "Africa/Johannesburg", 0.8, 0.2, "none", (("en", 0.8), ("af", 0.2)), "en_US",
           False, (
               _c("Johannesburg", "ZAJNB", "GP", -26.2041, 28.0473, 5.6, ("2001", "2196")),
               _c("Cape Town", "ZACPT", "WC", -33.9249, 18.4241, 4.6, ("8001", "7700")),
               _c("Durban", "ZADUR", "KZN", -29.8587, 31.0218, 3.7, ("4001", "4051")),
               _c("Pretoria", "ZAPRY", "GP", -25.7479, 28.2293, 2.5, ("0002", "0181")),
           )),
)
# fmt: on

# ISO-3166-1 alpha-3 codes of countries where GDPR (or the UK GDPR) applies among our markets.
GDPR_COUNTRIES: Final = frozenset(m.country for m in MARKETS if m.regime == "gdpr")

# US states with their own GPP section (GPP "Section Information": 8 = usca, 9 = usva,
# 10 = usco, 12 = usct); all other states use the national section 7 (usnat).
US_STATE_SECTIONS: Final = {"CA": 8, "VA": 9, "CO": 10, "CT": 12}
