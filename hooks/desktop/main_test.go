package desktop_test

import (
	"testing"

	"github.com/tock-app/tock/hooks/internal/hookstest"
)

func TestMain(m *testing.M) { hookstest.Main(m) }
