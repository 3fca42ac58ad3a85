//! Services a council picks from its feed's snapshot: one by `oruk_id`, with what
//! the council file writes laid over the feed's values, or many at once by
//! `oruk_ids` or `oruk_taxonomy`. The tier and the way to get each service stay
//! the council's. Uses `error` and the feed's `services` snapshot.

use std::collections::HashSet;

use super::checker::Checker;
use super::*;
use crate::config::services::{FeedService, Snapshot, SnapshotState, description::Block};
use crate::support::error::did_you_mean;

/// What a bulk entry may not set, since every service it picks would share it.
const ONE_SERVICE_KEYS: [&str; 2] = ["name", "description"];

impl Checker<'_> {
    /// The services an entry of `services:` stands for: the one it describes, or
    /// those it picks from the feed.
    pub(super) fn services(
        &mut self,
        raw: &RawService,
        path: &str,
        hubs: &[&str],
    ) -> Vec<(&'static str, Service)> {
        let picks_many = raw.oruk_ids.is_some() || raw.oruk_taxonomy.is_some();
        if raw.oruk_id.is_none() && !picks_many {
            return self.service(raw, path, hubs).into_iter().collect();
        }
        self.unknown_keys(&raw.unknown, path, SERVICE_KEYS);
        let tier = self.choice(&raw.tier, path, "tier", &TIERS);
        let access = self.choice(&raw.access, path, "access", &ACCESS);
        let Some(snapshot) = self.snapshot_for(raw, path) else {
            return Vec::new();
        };
        let picked: Vec<usize> = match &raw.oruk_id {
            Some(id) => self.pick(snapshot, &id.text, &yaml::join_path(path, "oruk_id")),
            None => {
                for (key, value) in ONE_SERVICE_KEYS.iter().zip([&raw.name, &raw.description]) {
                    if value.is_some() {
                        self.errors.push(ConfigError::OverrideInBulk {
                            key,
                            position: self.places.key_of(&yaml::join_path(path, key)),
                        });
                    }
                }
                self.pick_many(snapshot, raw, path)
            }
        };
        let (Some((tier, _)), Some((access, access_description))) = (tier, access) else {
            return Vec::new();
        };
        let overridden = overridden_fields(raw);
        let mut services = Vec::new();
        for index in picked {
            let (feed, problems) = snapshot.checked(index);
            self.feed_problems
                .extend(problems.into_iter().filter(|problem| match problem {
                    FeedError::BadField { field, .. } => !overridden.contains(field),
                    _ => true,
                }));
            if let Some(service) = self.service_from_feed(feed, raw, path, hubs) {
                services.push((
                    tier,
                    Service {
                        access,
                        access_description,
                        ..service
                    },
                ));
            }
        }
        services
    }

    /// The snapshot to pick from, or `None` after saying there is none.
    fn snapshot_for<'s>(&mut self, raw: &RawService, path: &str) -> Option<&'s Snapshot>
    where
        Self: 's,
    {
        let (slug, state) = self.feed;
        if let SnapshotState::Missing = state {
            let (key, id) = match &raw.oruk_id {
                Some(id) => ("oruk_id", id.text.clone()),
                None if raw.oruk_ids.is_some() => ("oruk_ids", String::new()),
                None => ("oruk_taxonomy", String::new()),
            };
            self.errors.push(ConfigError::NoSnapshot {
                slug: slug.to_owned(),
                id,
                position: self.at(&yaml::join_path(path, key)),
            });
        }
        state.read()
    }

    /// The record with `id`, if it is there and active; an error naming it if not.
    fn pick(&mut self, snapshot: &Snapshot, id: &str, path: &str) -> Vec<usize> {
        let id = id.trim();
        let Some(index) = snapshot.find(id) else {
            let ids = snapshot.records.iter().map(|r| r.id.as_str());
            self.errors.push(ConfigError::UnknownOrukId {
                id: id.to_owned(),
                suggestion: did_you_mean(id, ids).map(str::to_owned),
                position: self.at(path),
            });
            return Vec::new();
        };
        let record = &snapshot.records[index];
        if !record.is_active() {
            self.errors.push(ConfigError::InactiveOrukId {
                id: id.to_owned(),
                name: record.name.clone(),
                status: record.status.trim().to_owned(),
                position: self.at(path),
            });
            return Vec::new();
        }
        vec![index]
    }

    /// The records of `oruk_ids` and of `oruk_taxonomy`; those not active are
    /// reported and left out.
    fn pick_many(&mut self, snapshot: &Snapshot, raw: &RawService, path: &str) -> Vec<usize> {
        let mut picked = Vec::new();
        for (index, id) in raw.oruk_ids.iter().flatten().enumerate() {
            picked.extend(self.pick(snapshot, &id.text, &format!("{path}.oruk_ids[{index}]")));
        }
        if let Some(term) = &raw.oruk_taxonomy {
            let term_path = yaml::join_path(path, "oruk_taxonomy");
            let filed = snapshot.filed_under(term.text.trim());
            if filed.is_empty() {
                self.errors.push(ConfigError::NothingFiledUnder {
                    term: term.text.trim().to_owned(),
                    position: self.at(&term_path),
                });
            }
            for index in filed {
                let record = &snapshot.records[index];
                if record.is_active() {
                    picked.push(index);
                } else {
                    self.feed_problems.push(FeedError::NotActive {
                        id: record.id.clone(),
                        name: record.name.clone(),
                        status: record.status.clone(),
                        position: snapshot.record_position(index),
                    });
                }
            }
        }
        picked
    }

    /// A service from the feed's record, with what the council file writes laid
    /// over it; `None` when it has no name from either.
    fn service_from_feed(
        &mut self,
        feed: FeedService,
        raw: &RawService,
        path: &str,
        hubs: &[&str],
    ) -> Option<Service> {
        let own = self.contact(
            [&raw.phone, &raw.email, &raw.url],
            raw.schedule.as_deref(),
            path,
        );
        let name = self.text(&raw.name).or(feed.name.clone());
        let Some(name) = name else {
            self.feed_problems.push(FeedError::WithoutName {
                id: feed.id.clone(),
                position: self.feed_position(&feed.id),
            });
            return None;
        };
        let description = match self.text(&raw.description) {
            Some(text) => vec![Block::paragraph(&text)],
            None => feed.description.clone(),
        };
        if description.is_empty() {
            self.feed_problems.push(FeedError::WithoutDescription {
                id: feed.id.clone(),
                name: name.clone(),
                position: self.feed_position(&feed.id),
            });
        }
        let locations = match &raw.locations {
            Some(_) => self.hub_locations(raw, path, hubs),
            None => feed.locations.clone(),
        };
        Some(Service {
            contact: Contact {
                name: Some(name.clone()),
                description: None,
                phone: own.phone.or(feed.phone),
                email: own.email.or(feed.email),
                url: own.url.or(feed.url),
                opening_times: match raw.schedule {
                    Some(_) => own.opening_times,
                    None => feed.opening_times,
                },
            },
            name,
            description,
            eligibility_description: self.text(&raw.eligibility_description).or(feed.eligibility),
            access: "",
            access_description: "",
            locations,
        })
    }

    /// Where the record with `id` starts in the snapshot.
    fn feed_position(&self, id: &str) -> Position {
        let snapshot = self.feed.1.read();
        snapshot
            .and_then(|s| s.find(id).map(|index| s.record_position(index)))
            .unwrap_or(Position { line: 1, col: 1 })
    }
}

/// The feed's fields that the council file writes its own value for.
fn overridden_fields(raw: &RawService) -> Vec<&'static str> {
    let mut fields = Vec::new();
    if raw.phone.is_some() {
        fields.push("phone number");
    }
    if raw.email.is_some() {
        fields.push("email address");
    }
    if raw.url.is_some() {
        fields.push("web address");
    }
    if raw.schedule.is_some() {
        fields.extend(["time", "list of days"]);
    }
    if raw.locations.is_some() {
        fields.push("postcode");
    }
    fields
}

/// The problems of the feed's records, each said once though a record is picked
/// more than once.
pub(super) fn once_each(problems: Vec<FeedError>) -> Vec<FeedError> {
    let mut seen = HashSet::new();
    problems
        .into_iter()
        .filter(|problem| seen.insert(problem.to_string()))
        .collect()
}
