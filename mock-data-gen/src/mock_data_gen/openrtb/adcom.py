"""AdCOM 1.0 enumerated lists referenced by OpenRTB 2.6 bid request fields, as ``IntEnum``s.

OpenRTB 2.6 dropped its own list section (§5) in favour of the AdCOM 1.0 lists; the few value sets
that OpenRTB still defines inline (auction type §3.2.1, banner ad type §3.2.6, the deprecated video
placement list of OpenRTB 2.5 §5.9) live here as well so that every coded field has one home.

Values follow "AdCOM v1.0 FINAL.md" in InteractiveAdvertisingBureau/AdCOM as published alongside
OpenRTB 2.6-202606. Per OpenRTB 2.6 §2.6 receivers must tolerate values they do not know (lists
grow monthly, and many lists reserve 500+ for vendor-specific codes), so the models accept any
integer for a coded field: see :func:`is_listed` for telling defined values from the rest.
"""

from __future__ import annotations

from enum import IntEnum

from mock_data_gen.openrtb.reasons import LossReason, NoBidReason


class AgentType(IntEnum):
    """AdCOM List: Agent Types (``UID.atype``). 500+ vendor-specific."""

    BROWSER_OR_DEVICE = 1
    IN_APP = 2
    PERSON = 3


class APIFramework(IntEnum):
    """AdCOM List: API Frameworks (``api`` of Banner, Video, Audio, Native). 500+ vendor codes."""

    VPAID_1_0 = 1
    VPAID_2_0 = 2
    MRAID_1_0 = 3
    ORMMA = 4
    MRAID_2_0 = 5
    MRAID_3_0 = 6
    OMID_1_0 = 7
    SIMID_1_0 = 8
    SIMID_1_1 = 9


class AuctionType(IntEnum):
    """Auction types of OpenRTB 2.6 §3.2.1 ``BidRequest.at`` and §3.2.12 ``Deal.at``.

    ``FIXED_PRICE`` (the deal's ``bidfloor`` is the agreed price) is defined for ``Deal.at`` only.
    500+ exchange-specific.
    """

    FIRST_PRICE = 1
    SECOND_PRICE_PLUS = 2
    FIXED_PRICE = 3


class AutoRefreshTrigger(IntEnum):
    """AdCOM List: Auto Refresh Triggers (``RefSettings.reftype``)."""

    UNKNOWN = 0
    USER_ACTION = 1
    EVENT = 2
    TIME = 3


class BannerAdType(IntEnum):
    """Banner ad types of OpenRTB 2.6 §3.2.6 (``Banner.btype``, the types a placement blocks)."""

    XHTML_TEXT = 1
    XHTML_BANNER = 2
    JAVASCRIPT = 3
    IFRAME = 4


class CategoryTaxonomy(IntEnum):
    """AdCOM List: Category Taxonomies (``cattax``, ``Content.gtax``). 500+ vendor-specific."""

    IAB_CONTENT_1_0 = 1
    IAB_CONTENT_2_0 = 2
    IAB_AD_PRODUCT_1_0 = 3
    IAB_AUDIENCE_1_1 = 4
    IAB_CONTENT_2_1 = 5
    IAB_CONTENT_2_2 = 6
    IAB_CONTENT_3_0 = 7
    IAB_AD_PRODUCT_2_0 = 8
    IAB_CONTENT_3_1 = 9


class CompanionType(IntEnum):
    """AdCOM List: Companion Types (``companiontype`` of Video, Audio)."""

    STATIC = 1
    HTML = 2
    IFRAME = 3


class ConnectionType(IntEnum):
    """AdCOM List: Connection Types (``Device.connectiontype``).

    AdCOM has no 0; the "unknown" 0 seen in traffic comes from the retired OpenRTB 2.5 list 5.22.
    """

    ETHERNET = 1
    WIFI = 2
    CELLULAR_UNKNOWN = 3
    CELLULAR_2G = 4
    CELLULAR_3G = 5
    CELLULAR_4G = 6
    CELLULAR_5G = 7


class ContentContext(IntEnum):
    """AdCOM List: Content Contexts (``Content.context``)."""

    VIDEO = 1
    GAME = 2
    MUSIC = 3
    APPLICATION = 4
    TEXT = 5
    OTHER = 6
    UNKNOWN = 7


class CreativeAttribute(IntEnum):
    """AdCOM List: Creative Attributes (``battr``). 500+ vendor-specific."""

    AUDIO_AUTOPLAY = 1
    AUDIO_USER_INITIATED = 2
    EXPANDABLE_AUTOMATIC = 3
    EXPANDABLE_CLICK = 4
    EXPANDABLE_ROLLOVER = 5
    IN_BANNER_VIDEO_AUTOPLAY = 6
    IN_BANNER_VIDEO_USER_INITIATED = 7
    POP = 8
    PROVOCATIVE_OR_SUGGESTIVE = 9
    EXTREME_ANIMATION = 10
    SURVEYS = 11
    TEXT_ONLY = 12
    USER_INTERACTIVE = 13
    WINDOWS_DIALOG_OR_ALERT = 14
    AUDIO_ON_OFF_BUTTON = 15
    SKIP_BUTTON = 16
    ADOBE_FLASH = 17
    RESPONSIVE = 18
    QR_CODE = 19
    ALPHA_CHANNEL_TRANSPARENCY = 20
    STATIC_VISUAL = 21
    LIMITED_MOTION = 22
    FULL_MOTION_VIDEO = 23


class DeliveryMethod(IntEnum):
    """AdCOM List: Delivery Methods (``delivery`` of Video, Audio)."""

    STREAMING = 1
    PROGRESSIVE = 2
    DOWNLOAD = 3


class DeviceType(IntEnum):
    """AdCOM List: Device Types (``Device.devicetype``)."""

    MOBILE_TABLET = 1
    PERSONAL_COMPUTER = 2
    CONNECTED_TV = 3
    PHONE = 4
    TABLET = 5
    CONNECTED_DEVICE = 6
    SET_TOP_BOX = 7
    OOH_DEVICE = 8


class DOOHMultiplierSourceType(IntEnum):
    """AdCOM List: DOOH Multiplier Measurement Source Types (``Qty.sourcetype``)."""

    UNKNOWN = 0
    MEASUREMENT_VENDOR = 1
    PUBLISHER = 2
    EXCHANGE = 3


class DOOHVenueTaxonomy(IntEnum):
    """AdCOM List: DOOH Venue Taxonomies (``DOOH.venuetypetax``)."""

    ADCOM_DOOH_VENUE_TYPES = 0  # deprecated by AdCOM
    OPENOOH_1_0 = 1
    DPAA_DEVICE_VENUE_TYPES = 2
    DMI_1_1 = 3
    OMA_2022 = 4
    OPENOOH_1_1 = 5


class ExpandableDirection(IntEnum):
    """AdCOM List: Expandable Directions (``Banner.expdir``)."""

    LEFT = 1
    RIGHT = 2
    UP = 3
    DOWN = 4
    FULL_SCREEN = 5
    RESIZE_MINIMIZE = 6


class FeedType(IntEnum):
    """AdCOM List: Feed Types (``Audio.feed``). 500+ vendor-specific."""

    MUSIC_STREAMING = 1
    FM_AM_BROADCAST = 2
    PODCAST = 3
    CATCH_UP_RADIO = 4
    WEB_RADIO = 5
    VIDEO_GAME = 6
    TEXT_TO_SPEECH = 7


class IDMatchMethod(IntEnum):
    """AdCOM List: ID Match Methods (``EID.mm``). 500+ vendor-specific."""

    UNKNOWN = 0
    NO_MATCH = 1
    BROWSER_COOKIE_SYNC = 2
    AUTHENTICATED = 3
    OBSERVED = 4
    INFERENCE = 5


class IPLocationService(IntEnum):
    """AdCOM List: IP Location Services (``Geo.ipservice``)."""

    IP2LOCATION = 1
    NEUSTAR = 2
    MAXMIND = 3
    NETACUITY = 4
    FIFTYONE_DEGREES_HIGH = 511
    FIFTYONE_DEGREES_MEDIUM = 512


class LinearityMode(IntEnum):
    """AdCOM List: Linearity Modes (``Video.linearity``)."""

    LINEAR = 1
    NON_LINEAR = 2


class LocationType(IntEnum):
    """AdCOM List: Location Types (``Geo.type``)."""

    GPS = 1
    IP_ADDRESS = 2
    USER_PROVIDED = 3


class MediaRating(IntEnum):
    """AdCOM List: Media Ratings (``Content.qagmediarating``)."""

    ALL_AUDIENCES = 1
    OVER_12 = 2
    MATURE = 3


class OperatingSystem(IntEnum):
    """AdCOM List: Operating Systems. 500+ vendor-specific.

    OpenRTB 2.6 ``Device.os`` is a free string (e.g. "iOS"), so no 2.6 field carries these codes;
    the list is the reference vocabulary for mapping operating system names.
    """

    OTHER = 0
    NINTENDO_3DS = 1
    ANDROID = 2
    APPLE_TV = 3
    ASHA = 4
    BADA = 5
    BLACKBERRY = 6
    BREW = 7
    CHROMEOS = 8
    DARWIN = 9
    FIREOS = 10
    FIREFOXOS = 11
    HELENOS = 12
    IOS = 13
    LINUX = 14
    MACOS = 15
    MEEGO = 16
    MORPHOS = 17
    NETBSD = 18
    NUCLEUSPLUS = 19
    PS_VITA = 20
    PS3 = 21
    PS4 = 22
    PSP = 23
    SYMBIAN = 24
    TIZEN = 25
    WATCHOS = 26
    WEBOS = 27
    WINDOWS = 28


class AdPosition(IntEnum):
    """AdCOM List: Placement Positions (``pos`` of Banner, Video)."""

    UNKNOWN = 0
    ABOVE_THE_FOLD = 1
    LOCKED = 2
    BELOW_THE_FOLD = 3
    HEADER = 4
    FOOTER = 5
    SIDEBAR = 6
    FULLSCREEN = 7
    PARTIAL_SCREEN = 8
    TOP_LEFT = 9
    TOP_RIGHT = 10
    FRAME_THE_CONTENT = 11
    DOUBLE_BOX = 12
    DOUBLE_BOX_WITH_BACKGROUND = 13
    BOTTOM_LEFT = 14
    BOTTOM_RIGHT = 15
    L_SHAPE = 16
    REVERSED_L_SHAPE = 17


class PlacementSubtype(IntEnum):
    """AdCOM List: Plcmt Subtypes - Video (``Video.plcmt``).

    Values 1-4 came with OpenRTB 2.6-202303; AdCOM has since added 5-9 (pause, screensaver,
    overlay, squeezeback, in-scene).
    """

    INSTREAM = 1
    ACCOMPANYING_CONTENT = 2
    INTERSTITIAL = 3
    NO_CONTENT_STANDALONE = 4
    PAUSE = 5
    SCREENSAVER = 6
    OVERLAY = 7
    SQUEEZEBACK = 8
    IN_SCENE = 9


class VideoPlacementType(IntEnum):
    """Deprecated video placement types (OpenRTB 2.5 §5.9) of the deprecated ``Video.placement``.

    Deprecated as of OpenRTB 2.6-202303 in favour of :class:`PlacementSubtype`.
    """

    IN_STREAM = 1
    IN_BANNER = 2
    IN_ARTICLE = 3
    IN_FEED = 4
    INTERSTITIAL_SLIDER_FLOATING = 5


class PlaybackCessationMode(IntEnum):
    """AdCOM List: Playback Cessation Modes (``Video.playbackend``)."""

    ON_COMPLETION_OR_USER = 1
    ON_LEAVING_VIEWPORT_OR_USER = 2
    FLOATING_UNTIL_COMPLETION_OR_USER = 3


class PlaybackMethod(IntEnum):
    """AdCOM List: Playback Methods (``Video.playbackmethod``)."""

    AUTO_SOUND_ON = 1
    AUTO_SOUND_OFF = 2
    CLICK_SOUND_ON = 3
    MOUSE_OVER_SOUND_ON = 4
    VIEWPORT_SOUND_ON = 5
    VIEWPORT_SOUND_OFF = 6
    CONTINUOUS = 7
    PAUSE_SOUND_ON = 8
    PAUSE_SOUND_OFF = 9
    IDLE_SOUND_ON = 10
    IDLE_SOUND_OFF = 11


class PodDedupe(IntEnum):
    """AdCOM List: Pod Deduplication Settings (``Video.poddedupe``)."""

    ADOMAIN = 1
    IAB_CATEGORY = 2
    CREATIVE_ID = 3
    MEDIAFILE_URL = 4
    NONE = 5


class PodSequence(IntEnum):
    """AdCOM List: Pod Sequence (``podseq`` of Video, Audio)."""

    LAST = -1
    ANY = 0
    FIRST = 1


class ProductionQuality(IntEnum):
    """AdCOM List: Production Qualities (``Content.prodq``)."""

    UNKNOWN = 0
    PROFESSIONAL = 1
    PROSUMER = 2
    USER_GENERATED = 3


class Protocol(IntEnum):
    """AdCOM List: Creative Subtypes - Audio/Video (``protocols`` of Video, Audio)."""

    VAST_1_0 = 1
    VAST_2_0 = 2
    VAST_3_0 = 3
    VAST_1_0_WRAPPER = 4
    VAST_2_0_WRAPPER = 5
    VAST_3_0_WRAPPER = 6
    VAST_4_0 = 7
    VAST_4_0_WRAPPER = 8
    DAAST_1_0 = 9
    DAAST_1_0_WRAPPER = 10
    VAST_4_1 = 11
    VAST_4_1_WRAPPER = 12
    VAST_4_2 = 13
    VAST_4_2_WRAPPER = 14
    VAST_4_3 = 15
    VAST_4_3_WRAPPER = 16


class SlotPositionInPod(IntEnum):
    """AdCOM List: Slot Position in Pod (``slotinpod`` of Video, Audio)."""

    LAST = -1
    ANY = 0
    FIRST = 1
    FIRST_OR_LAST = 2


class StartDelay(IntEnum):
    """AdCOM List: Start Delay Modes (``startdelay`` of Video, Audio).

    Any value greater than 0 is a mid-roll starting that many seconds into the content.
    """

    GENERIC_POST_ROLL = -2
    GENERIC_MID_ROLL = -1
    PRE_ROLL = 0


class UserAgentSource(IntEnum):
    """AdCOM List: User-Agent Source (``UserAgent.source``)."""

    UNKNOWN = 0
    CLIENT_HINTS_LOW_ENTROPY = 1
    CLIENT_HINTS_HIGH_ENTROPY = 2
    USER_AGENT_STRING = 3


class VolumeNormalizationMode(IntEnum):
    """AdCOM List: Volume Normalization Modes (``Audio.nvol``)."""

    NONE = 0
    AVERAGE = 1
    PEAK = 2
    LOUDNESS = 3
    CUSTOM = 4


# Lists whose definition reserves 500 and above for vendor- or exchange-specific codes.
VENDOR_SPECIFIC_FROM_500: frozenset[type[IntEnum]] = frozenset(
    {
        AgentType,
        APIFramework,
        AuctionType,
        CategoryTaxonomy,
        CreativeAttribute,
        FeedType,
        IDMatchMethod,
        LossReason,
        NoBidReason,
        OperatingSystem,
    }
)


def is_listed(codes: type[IntEnum], value: int) -> bool:
    """Whether ``value`` has a meaning in ``codes``.

    True for the list's members, for 500+ where the list reserves that range for vendors, and for
    positive start delays (seconds into the content). Values outside these are not errors (lists
    grow; OpenRTB 2.6 §2.6 asks receivers to tolerate them) but usually point to a mistake.
    """
    if value in codes._value2member_map_:
        return True
    if codes in VENDOR_SPECIFIC_FROM_500 and value >= 500:
        return True
    return codes is StartDelay and value > 0
