//! Region tree vocabulary: levels, a region with its boundary, and a light reference to one.

use geo::MultiPolygon;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use uuid::Uuid;

/// Level of a region in the territorial chain (三级五覆盖 plus grids), coarsest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RegionLevel {
    /// 区/县.
    District,
    /// 街道/乡镇.
    Street,
    /// 社区/村委会.
    Community,
    /// 网格.
    Grid,
}

impl RegionLevel {
    /// All levels, coarsest first.
    pub const ALL: [RegionLevel; 4] = [Self::District, Self::Street, Self::Community, Self::Grid];

    /// 0 for district … 3 for grid.
    pub fn depth(self) -> usize {
        match self {
            Self::District => 0,
            Self::Street => 1,
            Self::Community => 2,
            Self::Grid => 3,
        }
    }

    /// The level a region of this level hangs from (`None` for districts).
    pub fn parent_level(self) -> Option<RegionLevel> {
        match self {
            Self::District => None,
            Self::Street => Some(Self::District),
            Self::Community => Some(Self::Street),
            Self::Grid => Some(Self::Community),
        }
    }

    /// Chinese word a dispatcher reads for the level.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::District => "区",
            Self::Street => "街道",
            Self::Community => "社区",
            Self::Grid => "网格",
        }
    }
}

/// A region with its boundary, in the canonical CRS (GCJ-02, lon/lat degrees).
#[derive(Debug, Clone, PartialEq)]
pub struct RegionShape {
    /// Region id (UUIDv7 in the database).
    pub id: Uuid,
    /// Parent region; `None` only for districts.
    pub parent_id: Option<Uuid>,
    /// Level in the tree.
    pub level: RegionLevel,
    /// Administrative code (GB/T 2260 adcode, NBS street code, or a local grid code).
    pub code: String,
    /// Display name, e.g. 福田区.
    pub name: String,
    /// Boundary; holes and several parts (islands) allowed.
    pub geometry: MultiPolygon<f64>,
}

impl RegionShape {
    /// The light reference used in locate results and routing decisions.
    pub fn to_ref(&self) -> RegionRef {
        RegionRef { id: self.id, level: self.level, code: self.code.as_str().into(), name: self.name.as_str().into() }
    }
}

/// Identity of a region without its geometry (shared strings: cloning one is cheap).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RegionRef {
    /// Region id.
    pub id: Uuid,
    /// Level in the tree.
    pub level: RegionLevel,
    /// Administrative code.
    #[schema(value_type = String)]
    pub code: Arc<str>,
    /// Display name.
    #[schema(value_type = String)]
    pub name: Arc<str>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_chain_and_serialise_in_snake_case() {
        assert_eq!(RegionLevel::Grid.parent_level(), Some(RegionLevel::Community));
        assert_eq!(RegionLevel::District.parent_level(), None);
        assert!(RegionLevel::District < RegionLevel::Grid);
        for level in RegionLevel::ALL {
            if let Some(parent) = level.parent_level() {
                assert_eq!(parent.depth() + 1, level.depth());
            }
        }
        assert_eq!(serde_json::to_string(&RegionLevel::Community).unwrap(), r#""community""#);
        assert_eq!(RegionLevel::Street.label_zh(), "街道");
    }
}
