"""Media types of an impression: OpenRTB 2.6 §3.2.6 Banner, §3.2.7 Video, §3.2.8 Audio,
§3.2.9 Native, §3.2.10 Format and §3.2.35 DurFloors."""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import Field, model_validator

from mock_data_gen.openrtb.adcom import (
    AdPosition,
    APIFramework,
    BannerAdType,
    CompanionType,
    CreativeAttribute,
    DeliveryMethod,
    ExpandableDirection,
    FeedType,
    LinearityMode,
    PlacementSubtype,
    PlaybackCessationMode,
    PlaybackMethod,
    PodDedupe,
    PodSequence,
    Protocol,
    SlotPositionInPod,
    StartDelay,
    VideoPlacementType,
    VolumeNormalizationMode,
)
from mock_data_gen.openrtb.base import (
    Array,
    Code,
    Ext,
    Flag,
    Float,
    Int,
    NonEmptyArray,
    OpenRTBModel,
    Price,
    Size,
    Str,
    require_exclusive,
)

APIFrameworkCode = Annotated[int, Code(APIFramework)]
CreativeAttributeCode = Annotated[int, Code(CreativeAttribute)]
ProtocolCode = Annotated[int, Code(Protocol)]
DeliveryMethodCode = Annotated[int, Code(DeliveryMethod)]
CompanionTypeCode = Annotated[int, Code(CompanionType)]
AdPositionCode = Annotated[int, Code(AdPosition)]
StartDelayCode = Annotated[int, Code(StartDelay)]
PodSequenceCode = Annotated[int, Code(PodSequence)]
SlotPositionCode = Annotated[int, Code(SlotPositionInPod)]


class Format(OpenRTBModel):
    """An allowed banner size, or Flex Ad ratio parameters (OpenRTB 2.6 §3.2.10)."""

    w: Size | None = None
    h: Size | None = None
    wratio: Size | None = None
    hratio: Size | None = None
    wmin: Size | None = None
    ext: Ext = None


class Banner(OpenRTBModel):
    """A banner impression, or a companion ad of a Video/Audio (OpenRTB 2.6 §3.2.6)."""

    format: Array[Format] = None
    w: Size | None = None
    h: Size | None = None
    btype: Array[Annotated[int, Code(BannerAdType)]] = None
    battr: Array[CreativeAttributeCode] = None
    pos: AdPositionCode | None = None
    mimes: Array[Str] = None
    topframe: Flag | None = None
    expdir: Array[Annotated[int, Code(ExpandableDirection)]] = None
    api: Array[APIFrameworkCode] = None
    id: Str | None = None
    vcm: Flag | None = None
    ext: Ext = None


class DurFloors(OpenRTBModel):
    """A floor price for creatives within a duration range (OpenRTB 2.6 §3.2.35).

    Spec default (not emitted): bidfloor=0.
    """

    mindur: Int | None = None
    maxdur: Int | None = None
    bidfloor: Price | None = None
    ext: Ext = None


class Video(OpenRTBModel):
    """A video impression (OpenRTB 2.6 §3.2.7).

    Spec defaults (not emitted): minduration=0, podseq=0, sequence=0, slotinpod=0, skipmin=0,
    skipafter=0, boxingallowed=1.
    """

    mimes: NonEmptyArray[Str]
    minduration: Int | None = None
    maxduration: Int | None = None
    startdelay: StartDelayCode | None = None
    maxseq: Int | None = None
    poddur: Int | None = None
    protocols: Array[ProtocolCode] = None
    w: Size | None = None
    h: Size | None = None
    podid: Str | None = None
    podseq: PodSequenceCode | None = None
    rqddurs: Array[Int] = None
    placement: Annotated[int, Code(VideoPlacementType)] | None = Field(
        default=None, deprecated="Deprecated as of OpenRTB 2.6-202303; use plcmt."
    )
    plcmt: Annotated[int, Code(PlacementSubtype)] | None = None
    linearity: Annotated[int, Code(LinearityMode)] | None = None
    skip: Flag | None = None
    skipmin: Int | None = None
    skipafter: Int | None = None
    sequence: Int | None = Field(
        default=None, deprecated="Deprecated as of OpenRTB 2.6; use slotinpod."
    )
    slotinpod: SlotPositionCode | None = None
    mincpmpersec: Float | None = None
    battr: Array[CreativeAttributeCode] = None
    maxextended: Int | None = None
    minbitrate: Int | None = None
    maxbitrate: Int | None = None
    boxingallowed: Flag | None = None
    playbackmethod: Array[Annotated[int, Code(PlaybackMethod)]] = None
    playbackend: Annotated[int, Code(PlaybackCessationMode)] | None = None
    delivery: Array[DeliveryMethodCode] = None
    pos: AdPositionCode | None = None
    companionad: Array[Banner] = None
    api: Array[APIFrameworkCode] = None
    companiontype: Array[CompanionTypeCode] = None
    poddedupe: Array[Annotated[int, Code(PodDedupe)]] = None
    durfloors: Array[DurFloors] = None
    ext: Ext = None

    @model_validator(mode="after")
    def check_durations(self) -> Self:
        require_exclusive(self, "minduration", "rqddurs")
        return require_exclusive(self, "maxduration", "rqddurs")


class Audio(OpenRTBModel):
    """An audio impression (OpenRTB 2.6 §3.2.8).

    Spec defaults (not emitted): minduration=0, podseq=0, sequence=0, slotinpod=0.
    """

    mimes: NonEmptyArray[Str]
    minduration: Int | None = None
    maxduration: Int | None = None
    poddur: Int | None = None
    protocols: Array[ProtocolCode] = None
    startdelay: StartDelayCode | None = None
    rqddurs: Array[Int] = None
    podid: Str | None = None
    podseq: PodSequenceCode | None = None
    sequence: Int | None = Field(
        default=None, deprecated="Deprecated as of OpenRTB 2.6; use slotinpod."
    )
    slotinpod: SlotPositionCode | None = None
    mincpmpersec: Float | None = None
    battr: Array[CreativeAttributeCode] = None
    maxextended: Int | None = None
    minbitrate: Int | None = None
    maxbitrate: Int | None = None
    delivery: Array[DeliveryMethodCode] = None
    companionad: Array[Banner] = None
    api: Array[APIFrameworkCode] = None
    companiontype: Array[CompanionTypeCode] = None
    maxseq: Int | None = None
    feed: Annotated[int, Code(FeedType)] | None = None
    stitched: Flag | None = None
    nvol: Annotated[int, Code(VolumeNormalizationMode)] | None = None
    durfloors: Array[DurFloors] = None
    ext: Ext = None

    @model_validator(mode="after")
    def check_durations(self) -> Self:
        require_exclusive(self, "minduration", "rqddurs")
        return require_exclusive(self, "maxduration", "rqddurs")


class Native(OpenRTBModel):
    """A native impression; ``request`` is the Native Ads API payload as a string (§3.2.9)."""

    request: Str
    ver: Str | None = None
    api: Array[APIFrameworkCode] = None
    battr: Array[CreativeAttributeCode] = None
    ext: Ext = None
