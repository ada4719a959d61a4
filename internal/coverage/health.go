package coverage

import "time"

// HealthDetail is the `detail` of a GuardDuty Runtime Protection
// Healthy/Unhealthy event (spec §4.2).
type HealthDetail struct {
	SchemaVersion     string          `json:"schemaVersion"`
	ResourceAccountID string          `json:"resourceAccountId"`
	CurrentStatus     string          `json:"currentStatus"`
	PreviousStatus    string          `json:"previousStatus"`
	ResourceDetails   ResourceDetails `json:"resourceDetails"`
	Issue             string          `json:"issue"`
	LastUpdatedAt     string          `json:"lastUpdatedAt"`
	// ResourceID names the coverage resource (a vigil extension: GuardDuty
	// leaves it implicit in resourceDetails).
	ResourceID string `json:"resourceId"`
}

// Detail builds the health-event detail of a transition.
func (c Change) Detail(at time.Time) HealthDetail {
	return HealthDetail{
		SchemaVersion:     "1.0",
		ResourceAccountID: c.Resource.AccountID,
		CurrentStatus:     c.Resource.CoverageStatus,
		PreviousStatus:    c.Prev,
		ResourceDetails:   c.Resource.ResourceDetails,
		Issue:             c.Resource.Issue,
		LastUpdatedAt:     at.UTC().Format("2006-01-02T15:04:05.000Z"),
		ResourceID:        c.Resource.ResourceID,
	}
}
